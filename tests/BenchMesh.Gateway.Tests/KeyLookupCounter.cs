using System.Diagnostics.Metrics;
using BenchMesh.Gateway.Keys;
using Microsoft.Extensions.DependencyInjection;

namespace BenchMesh.Gateway.Tests;

/// <summary>
/// Counts one gateway's API key look-ups by source (its <see cref="ApiKeyCache.LookupsInstrument"/> metric), from when
/// it is made. Only that gateway's: its meters come from its own <see cref="IMeterFactory"/>.
/// </summary>
public sealed class KeyLookupCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _fromCache;
    private long _fromDatabase;

    public KeyLookupCounter(GatewayApp gateway)
    {
        var meters = gateway.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == ApiKeyCache.LookupsInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "source")
                {
                    Interlocked.Add(ref (string?)tag.Value == "cache" ? ref _fromCache : ref _fromDatabase, value);
                }
            }
        });
        _listener.Start();
    }

    public long FromCache => Interlocked.Read(ref _fromCache);

    /// <summary>Look-ups that read the key's row from PostgreSQL.</summary>
    public long FromDatabase => Interlocked.Read(ref _fromDatabase);

    public void Dispose() => _listener.Dispose();
}
