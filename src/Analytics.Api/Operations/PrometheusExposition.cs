using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Analytics.Api.Operations;

/// <summary>
/// Listens to the <see cref="AnalyticsMetrics"/> meter and writes its state in the Prometheus text format (0.0.4):
/// counters as running totals, histograms as cumulative buckets with _sum and _count, gauges read at scrape time.
/// Small on purpose: one meter, three instrument kinds, no exemplars.
/// </summary>
public sealed class PrometheusExposition : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Series, double> _counters = new();
    private readonly ConcurrentDictionary<Series, HistogramState> _histograms = new();
    private readonly object _scrape = new();
    private readonly Dictionary<Series, double> _gauges = [];
    private readonly ConcurrentDictionary<string, (string Type, string? Help)> _meta = new(StringComparer.Ordinal);

    public PrometheusExposition(AnalyticsMetrics metrics)
    {
        var meter = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, meter)) return;
            _meta[instrument.Name] = (instrument switch
            {
                Counter<long> => "counter",
                Histogram<double> => "histogram",
                _ => "gauge",
            }, instrument.Description);
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.Start();
    }

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var series = new Series(instrument.Name, Labels(tags));
        if (instrument is ObservableGauge<long>)
        {
            lock (_scrape) _gauges[series] = value;
            return;
        }
        _counters.AddOrUpdate(series, value, (_, total) => total + value);
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var buckets = instrument.Name == AnalyticsMetrics.JobDurationName ? AnalyticsMetrics.JobBuckets : AnalyticsMetrics.RequestBuckets;
        _histograms.GetOrAdd(new Series(instrument.Name, Labels(tags)), _ => new HistogramState(buckets)).Record(value);
    }

    /// <summary>The text exposition of every series recorded so far plus the gauges read now.</summary>
    public string Scrape()
    {
        var text = new StringBuilder();
        lock (_scrape)
        {
            _gauges.Clear();
            _listener.RecordObservableInstruments();
            foreach (var group in _gauges.GroupBy(g => g.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                Header(text, group.Key);
                foreach (var (series, value) in group.OrderBy(g => g.Key.Labels, StringComparer.Ordinal))
                    Line(text, series.Name, series.Labels, value);
            }
        }
        foreach (var group in _counters.GroupBy(c => c.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Header(text, group.Key);
            foreach (var (series, value) in group.OrderBy(g => g.Key.Labels, StringComparer.Ordinal))
                Line(text, series.Name, series.Labels, value);
        }
        foreach (var group in _histograms.GroupBy(h => h.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Header(text, group.Key);
            foreach (var (series, histogram) in group.OrderBy(g => g.Key.Labels, StringComparer.Ordinal))
            {
                var (counts, sum, count) = histogram.Read();
                long cumulative = 0;
                for (var i = 0; i < histogram.Bounds.Length; i++)
                {
                    cumulative += counts[i];
                    Line(text, series.Name + "_bucket", Join(series.Labels, $"le=\"{Number(histogram.Bounds[i])}\""), cumulative);
                }
                Line(text, series.Name + "_bucket", Join(series.Labels, "le=\"+Inf\""), count);
                Line(text, series.Name + "_sum", series.Labels, sum);
                Line(text, series.Name + "_count", series.Labels, count);
            }
        }
        return text.ToString();
    }

    private void Header(StringBuilder text, string name)
    {
        var (type, help) = _meta.TryGetValue(name, out var meta) ? meta : ("untyped", null);
        if (help is not null) text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\").Replace("\n", "\\n")).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    private static void Line(StringBuilder text, string name, string labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0) text.Append('{').Append(labels).Append('}');
        text.Append(' ').Append(Number(value)).Append('\n');
    }

    private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var pairs = new List<KeyValuePair<string, object?>>(tags.ToArray());
        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return string.Join(',', pairs.Select(p => $"{p.Key}=\"{Escape(Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? "")}\""));
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    public void Dispose() => _listener.Dispose();

    private readonly record struct Series(string Name, string Labels);

    private sealed class HistogramState(double[] bounds)
    {
        private readonly long[] _counts = new long[bounds.Length];
        private double _sum;
        private long _count;

        public double[] Bounds { get; } = bounds;

        public void Record(double value)
        {
            lock (this)
            {
                var i = Array.FindIndex(Bounds, b => value <= b);
                if (i >= 0) _counts[i]++;
                _sum += value;
                _count++;
            }
        }

        public (long[] Counts, double Sum, long Count) Read()
        {
            lock (this) return ((long[])_counts.Clone(), _sum, _count);
        }
    }
}
