using System.Text;
using HdrHistogram;
using HdrHistogram.Utilities;

namespace BenchMesh.LoadEngine.Metrics;

/// <summary>
/// A compact text form of <see cref="LoadHistograms"/>, so that one generator's recordings can travel in a message and
/// be merged elsewhere exactly as if they had been recorded there: <c>hdr1:</c> followed by base64 of the latency,
/// service-time and schedule-lag histograms, then the per-second buckets (scheduled, completed, errors, dropped and the
/// second's latency histogram). Each histogram is in HdrHistogram's own compressed encoding (V2, deflated, the form
/// HdrHistogram's log files use in every language), so decoding restores every bucket count, and percentiles of the
/// decoded (or decoded and merged) histograms are the percentiles of the recorded values.
/// </summary>
public static class LoadHistogramsEncoding
{
    /// <summary>Marks the format's version; a text without it is not one of ours.</summary>
    public const string Prefix = "hdr1:";

    /// <summary>The text form of <paramref name="histograms"/>.</summary>
    public static string Encode(LoadHistograms histograms)
    {
        ArgumentNullException.ThrowIfNull(histograms);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            WriteHistogram(writer, histograms.Latency);
            WriteHistogram(writer, histograms.ServiceTime);
            WriteHistogram(writer, histograms.ScheduleLag);
            writer.Write7BitEncodedInt(histograms.Seconds.Count);
            foreach (var second in histograms.Seconds)
            {
                writer.Write7BitEncodedInt64(second.Scheduled);
                writer.Write7BitEncodedInt64(second.Completed);
                writer.Write7BitEncodedInt64(second.Errors);
                writer.Write7BitEncodedInt64(second.Dropped);
                WriteHistogram(writer, second.Latency);
            }
        }

        return Prefix + Convert.ToBase64String(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>The recordings <see cref="Encode"/> wrote.</summary>
    /// <exception cref="FormatException">The text is not this format, or is cut short.</exception>
    public static LoadHistograms Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new FormatException($"Encoded load histograms start with '{Prefix}'.");
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(Convert.FromBase64String(text[Prefix.Length..])), Encoding.UTF8);
            var histograms = new LoadHistograms();
            ReadHistogramInto(reader, histograms.Latency);
            ReadHistogramInto(reader, histograms.ServiceTime);
            ReadHistogramInto(reader, histograms.ScheduleLag);
            var seconds = reader.Read7BitEncodedInt();
            for (var i = 0; i < seconds; i++)
            {
                var bucket = histograms.Second(i);
                bucket.Scheduled = reader.Read7BitEncodedInt64();
                bucket.Completed = reader.Read7BitEncodedInt64();
                bucket.Errors = reader.Read7BitEncodedInt64();
                bucket.Dropped = reader.Read7BitEncodedInt64();
                ReadHistogramInto(reader, bucket.Latency);
            }

            return histograms;
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or IOException)
        {
            throw new FormatException("Encoded load histograms are damaged or cut short.", e);
        }
    }

    /// <summary>One histogram in HdrHistogram's compressed encoding, base64 (the form of HdrHistogram's log files).</summary>
    public static string EncodeHistogram(HistogramBase histogram) => Convert.ToBase64String(Compressed(histogram));

    /// <summary>A histogram <see cref="EncodeHistogram"/> wrote.</summary>
    /// <exception cref="FormatException">The text is not a compressed HdrHistogram.</exception>
    public static HistogramBase DecodeHistogram(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(Convert.FromBase64String(text)), LoadHistograms.HighestTrackableMicros);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or IOException)
        {
            throw new FormatException("Not an encoded HdrHistogram.", e);
        }
    }

    private static byte[] Compressed(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        // The deflated form is smaller than the plain one, except for a nearly empty histogram, where the header and
        // deflate's own overhead can outgrow it: leave room for both.
        var buffer = ByteBuffer.Allocate(histogram.GetNeededByteBufferCapacity() + 64);
        var length = HistogramEncoding.EncodeIntoCompressedByteBuffer(histogram, buffer);
        // The package's ByteBuffer exposes no array copy: read the written bytes back one by one.
        buffer.Position = 0;
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = buffer.Get();
        }

        return bytes;
    }

    private static void WriteHistogram(BinaryWriter writer, HistogramBase histogram)
    {
        // An empty histogram (a second with nothing completed) costs one byte instead of an encoded header.
        if (histogram.TotalCount == 0)
        {
            writer.Write7BitEncodedInt(0);
            return;
        }

        var bytes = Compressed(histogram);
        writer.Write7BitEncodedInt(bytes.Length);
        writer.Write(bytes);
    }

    private static void ReadHistogramInto(BinaryReader reader, HistogramBase target)
    {
        var length = reader.Read7BitEncodedInt();
        if (length == 0)
        {
            return;
        }

        var bytes = reader.ReadBytes(length);
        if (bytes.Length != length)
        {
            throw new EndOfStreamException();
        }

        target.Add(HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(bytes), LoadHistograms.HighestTrackableMicros));
    }
}
