using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Persistence;

public static class ModelBuilderExtensions
{
    /// <summary>
    /// Column names follow the public API's snake_case (<c>agent_id</c>, <c>input_per_million_usd</c>, ...): one rule
    /// for every property instead of a HasColumnName per column. Call it last in OnModelCreating; a column named
    /// explicitly (anything but the property's own name) keeps its name.
    /// </summary>
    public static ModelBuilder UseSnakeCaseColumnNames(this ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                if (property.GetColumnName() == property.Name)
                {
                    property.SetColumnName(JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name));
                }
            }
        }

        return modelBuilder;
    }
}
