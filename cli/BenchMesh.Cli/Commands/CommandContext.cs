using Spectre.Console;
using BenchMesh.Cli.Gateway;

namespace BenchMesh.Cli.Commands;

/// <summary>What every command needs: the API client, where to write, and the global options.</summary>
internal sealed record CommandContext(GatewayClient Gateway, IAnsiConsole Out, IAnsiConsole Error, bool Json, TimeSpan PollInterval);
