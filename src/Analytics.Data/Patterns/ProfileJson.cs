using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Analytics.Core.Cases;

namespace Analytics.Data.Patterns;

/// <summary>How the stored profile JSON (<see cref="CaseProfile"/>, web naming) is read back.</summary>
internal static class ProfileJson
{
    /// <summary>Whole profiles. Their codes are shared strings (<see cref="SharedStrings"/>).</summary>
    public static readonly JsonSerializerOptions Full = new(JsonSerializerDefaults.Web) { Converters = { new SharedStrings() } };

    // What the insight and pattern aggregates read of a profile; the values of the other properties are skipped, not built.
    private static readonly HashSet<string> Aggregated = new(StringComparer.Ordinal)
    {
        "jurisdiction", "periodFrom", "victims", "exploitationTypes", "recruitmentChannels", "routeCountries",
    };

    /// <summary>
    /// Profiles with only what the aggregates read (jurisdiction, period, victims, exploitation types, recruitment
    /// channels, route); every other list is left empty.
    /// </summary>
    public static readonly JsonSerializerOptions Aggregates = new(JsonSerializerDefaults.Web)
    {
        Converters = { new SharedStrings() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                static info =>
                {
                    if (info.Type != typeof(CaseProfile)) return;
                    for (var i = info.Properties.Count - 1; i >= 0; i--)
                        if (!Aggregated.Contains(info.Properties[i].Name)) info.Properties.RemoveAt(i);
                },
            },
        },
    };

    /// <summary>
    /// Reads short JSON strings as one shared instance per distinct value: a profile's values are codes (countries, age
    /// bands, months), a few hundred distinct ones over any number of cases, so a read of many profiles allocates each once
    /// instead of once per case. Bounded: past <see cref="MaxShared"/> distinct values, new ones are allocated as usual.
    /// </summary>
    private sealed class SharedStrings : JsonConverter<string>
    {
        private const int MaxLength = 64;
        private const int MaxShared = 4_096;
        private readonly ConcurrentDictionary<string, string> _shared = new(StringComparer.Ordinal);

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxLength)
                return reader.GetString();
            Span<char> chars = stackalloc char[MaxLength];
            var length = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
            if (_shared.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars[..length], out var shared)) return shared;
            var text = new string(chars[..length]);
            return _shared.Count < MaxShared ? _shared.GetOrAdd(text, text) : text;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
