using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Gateway.Data.Migrations
{
    /// <summary>
    /// Every update or deletion of an API key's row notifies channel <c>benchmesh_api_key_changes</c> with the key's id
    /// (a TRUNCATE with an empty payload: every key), so that each gateway replica evicts it from its key cache
    /// (Keys/ApiKeyChangeListener.cs). A trigger, not a call in the admin API, so that every change is covered whoever
    /// makes it; pg_notify in the changing transaction is delivered only on its commit. Insertions notify nothing: unknown
    /// keys are never cached.
    /// </summary>
    public partial class ApiKeyChangeNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION gateway.notify_api_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'TRUNCATE' THEN
                        PERFORM pg_notify('benchmesh_api_key_changes', '');
                    ELSE
                        PERFORM pg_notify('benchmesh_api_key_changes', OLD.id);
                    END IF;
                    RETURN NULL;
                END
                $$;
                CREATE TRIGGER api_keys_notify_change AFTER UPDATE OR DELETE ON gateway.api_keys
                    FOR EACH ROW EXECUTE FUNCTION gateway.notify_api_key_change();
                CREATE TRIGGER api_keys_notify_truncate AFTER TRUNCATE ON gateway.api_keys
                    FOR EACH STATEMENT EXECUTE FUNCTION gateway.notify_api_key_change();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER api_keys_notify_truncate ON gateway.api_keys;
                DROP TRIGGER api_keys_notify_change ON gateway.api_keys;
                DROP FUNCTION gateway.notify_api_key_change();
                """);
        }
    }
}
