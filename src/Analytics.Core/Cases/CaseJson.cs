using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace Analytics.Core.Cases;

/// <summary>JSON reading and writing of case records with one strict, shared configuration.</summary>
public static partial class CaseJson
{
    /// <summary>Maximum nesting depth accepted; the schema needs 5.</summary>
    public const int MaxDepth = 32;

    private static readonly IJsonTypeInfoResolver _resolver =
        new DefaultJsonTypeInfoResolver().WithAddedModifier(static typeInfo =>
        {
            // A missing schemaVersion must be reported, not silently defaulted to "1" by the model.
            if (typeInfo.Type == typeof(CaseSubmission))
                typeInfo.CreateObject = static () => new CaseSubmission { SchemaVersion = "" };
        });

    private static readonly JsonReaderOptions _readerOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = MaxDepth,
    };

    /// <summary>
    /// Options for reading submissions: camelCase, unknown properties and duplicate properties rejected,
    /// no trailing commas or comments, numbers only as numbers and strings only as strings,
    /// null rejected for non-nullable members.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions(writeNulls: true);

    // Canonical form for hashing: no indentation, nulls omitted, properties in declaration order.
    private static readonly JsonSerializerOptions _canonical = CreateOptions(writeNulls: false);

    private static JsonSerializerOptions CreateOptions(bool writeNulls)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            AllowDuplicateProperties = false,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
            MaxDepth = MaxDepth,
            NumberHandling = JsonNumberHandling.Strict,
            RespectNullableAnnotations = true,
            WriteIndented = false,
            DefaultIgnoreCondition = writeNulls ? JsonIgnoreCondition.Never : JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = _resolver,
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>
    /// Reads a submission from UTF-8 JSON. Never throws for bad input: malformed JSON, invalid UTF-8,
    /// wrong types and unknown properties come back as errors with a JSON Pointer.
    /// Does not validate content; run <see cref="CaseValidator.Validate(CaseSubmission)"/> next.
    /// </summary>
    public static CaseParseResult Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith("\uFEFF"u8))
            utf8 = utf8[3..];

        if (!Utf8.IsValid(utf8))
            return CaseParseResult.Failed("", $"The body is not valid UTF-8 (first invalid byte at offset {FirstInvalidUtf8Offset(utf8)}).");

        if (utf8.IsEmpty)
            return CaseParseResult.Failed("", "The body is empty; expected a JSON object.");

        // A syntax-only pass first, so a syntax error is never mistaken for a type error.
        if (SyntaxError(utf8) is { } syntaxError)
            return CaseParseResult.Failed("", syntaxError);

        try
        {
            var submission = JsonSerializer.Deserialize(utf8, (JsonTypeInfo<CaseSubmission>)Options.GetTypeInfo(typeof(CaseSubmission)));
            return submission is null
                ? CaseParseResult.Failed("", "Expected a JSON object, found null.")
                : CaseParseResult.Succeeded(submission);
        }
        catch (JsonException ex)
        {
            return CaseParseResult.Failed(ShapeErrors(utf8, ShapeError(ex)));
        }
    }

    /// <summary>At most this many shape errors are reported for one record.</summary>
    public const int MaxShapeErrors = 50;

    // The reader stops at the first wrong type, unknown or repeated property; the client should not have to find the
    // others one request at a time. The record (already known to be well-formed JSON) is walked against the same model
    // metadata the reader binds to, and every other place that reader would refuse is added after the reader's own error,
    // with the same messages. Only on the error path.
    private static List<ValidationError> ShapeErrors(ReadOnlySpan<byte> utf8, ValidationError first)
    {
        var errors = new List<ValidationError> { first };
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException)
        {
            return errors;
        }
        using var owned = document;
        var seen = new HashSet<string>(StringComparer.Ordinal) { first.Pointer };
        void Add(string pointer, string message)
        {
            if (errors.Count < MaxShapeErrors && seen.Add(pointer)) errors.Add(new ValidationError(pointer, message));
        }
        void Walk(JsonElement element, Type type, string pointer, bool nullable)
        {
            if (errors.Count >= MaxShapeErrors) return;
            type = Nullable.GetUnderlyingType(type) ?? type;
            var wrongType = $"Wrong type: expected {Describe(type)}{(nullable ? " or null" : "")}.";
            if (element.ValueKind == JsonValueKind.Null)
            {
                if (!nullable) Add(pointer, wrongType);
                return;
            }
            if (type == typeof(string))
            {
                if (element.ValueKind != JsonValueKind.String) Add(pointer, wrongType);
                return;
            }
            if (type == typeof(int))
            {
                if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out _)) Add(pointer, wrongType);
                return;
            }
            var info = Options.GetTypeInfo(type);
            if (info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } elementType)
            {
                if (element.ValueKind != JsonValueKind.Array)
                {
                    Add(pointer, wrongType);
                    return;
                }
                var index = 0;
                // An element of a list may be null for the reader (nullability is checked on properties only).
                foreach (var item in element.EnumerateArray()) Walk(item, elementType, $"{pointer}/{index++}", nullable: true);
                return;
            }
            if (info.Kind != JsonTypeInfoKind.Object) return;
            if (element.ValueKind != JsonValueKind.Object)
            {
                Add(pointer, wrongType);
                return;
            }
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                var known = info.Properties.FirstOrDefault(p => p.Name == property.Name);
                var at = pointer + "/" + EscapePointerToken(property.Name);
                if (known is null)
                {
                    // As Locate: a made-up name is repeated only when it is a near miss of a field.
                    if (NearAField(property.Name)) Add(at, "Unknown property; the schema does not allow it.");
                    else Add(pointer, "Holds a property the schema does not have, whose name is not repeated here (it is not near any field name).");
                }
                else if (!names.Add(property.Name))
                {
                    Add(at, "Property appears more than once.");
                }
                else
                {
                    Walk(property.Value, known.PropertyType, at, known.IsSetNullable);
                }
            }
        }
        Walk(document.RootElement, typeof(CaseSubmission), "", nullable: false);
        return errors;
    }

    /// <summary>Canonical UTF-8 bytes of a stored record: fixed property order, no indentation, nulls omitted.</summary>
    public static byte[] Serialize(StoredCase storedCase) =>
        JsonSerializer.SerializeToUtf8Bytes(storedCase, (JsonTypeInfo<StoredCase>)_canonical.GetTypeInfo(typeof(StoredCase)));

    private static string? SyntaxError(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, isFinalBlock: true, new JsonReaderState(_readerOptions));
        try
        {
            while (reader.Read())
            {
            }
            return null;
        }
        catch (JsonException ex)
        {
            return $"Malformed JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {Reason(ex.Message)}";
        }
    }

    /// <summary>
    /// The JSON Pointer a deserialisation error is about, and whether it is a property the target type does not have
    /// (the pointer then ends with that property's name). Never carries a submitted value.
    /// </summary>
    /// <param name="ex">The reader's error.</param>
    /// <param name="repeatable">Whether an unknown property's name may be repeated in the pointer; by default, when it is
    /// within an edit or two of a field of the case record (<see cref="NearAField"/>).</param>
    public static (string Pointer, bool UnknownProperty) Locate(JsonException ex, Func<string, bool>? repeatable = null)
    {
        ArgumentNullException.ThrowIfNull(ex);
        const string Unmapped = "' could not be mapped to any .NET member";
        var end = ex.Message.IndexOf(Unmapped, StringComparison.Ordinal);
        var start = ex.Message.IndexOf('\'');
        if (end < 0 || start < 0 || start >= end) return (PathToPointer(ex.Path), end >= 0);
        // The name runs from the first quote to the fixed text after it, so a name with quotes in it is read whole.
        var name = ex.Message[(start + 1)..end];
        // The path ends at the unknown property; its parent is the path without it.
        var path = ex.Path ?? "$";
        var parent = path.EndsWith("['" + name + "']", StringComparison.Ordinal) ? path[..^(name.Length + 4)]
            : path.EndsWith("." + name, StringComparison.Ordinal) ? path[..^(name.Length + 1)]
            : path;
        // A name the client made up is repeated only when it is a near miss of a field of the schema (a typo, another
        // case or spelling): any other, "Maria Popescu +40721234567" or only "Popescu", may be a submitted value, and
        // the error then points at the object that holds it.
        return (repeatable ?? NearAField)(name)
            ? (PathToPointer(parent) + "/" + EscapePointerToken(name), true)
            : (PathToPointer(parent), true);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
    private static partial System.Text.RegularExpressions.Regex FieldName();

    /// <summary>Whether a name is shaped like a field name (a letter, then letters, digits, '_' or '-'; at most 64).</summary>
    public static bool FieldShaped(string name) => FieldName().IsMatch(name);

    // Every property name of the case record, lower case, from the model the reader binds to.
    private static readonly Lazy<string[]> _fields = new(() =>
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<Type>();
        void Walk(Type type)
        {
            if (!seen.Add(type)) return;
            foreach (var property in Options.GetTypeInfo(type).Properties)
            {
                names.Add(property.Name.ToLowerInvariant());
                var target = property.PropertyType;
                if (target != typeof(string) && target.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)) is { } list)
                    target = list.GetGenericArguments()[0];
                target = Nullable.GetUnderlyingType(target) ?? target;
                if (target.IsClass && target != typeof(string)) Walk(target);
            }
        }
        Walk(typeof(CaseSubmission));
        return [.. names];
    });

    /// <summary>
    /// Whether an unknown property name is within one edit (two for names of six letters or more) of a field of the
    /// schema, ignoring case, underscores and hyphens.
    /// </summary>
    internal static bool NearAField(string name)
    {
        if (!FieldName().IsMatch(name)) return false;
        var folded = name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        var allowed = folded.Length >= 6 ? 2 : 1;
        return _fields.Value.Any(field => Math.Abs(field.Length - folded.Length) <= allowed && Distance(field, folded) <= allowed);
    }

    // Levenshtein distance (short strings only).
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static ValidationError ShapeError(JsonException ex)
    {
        var (pointer, unknown) = Locate(ex);
        var message = ex.Message;
        if (unknown)
            return new ValidationError(pointer, pointer == PathToPointer(ex.Path)
                ? "Unknown property; the schema does not allow it."
                : "Holds a property the schema does not have, whose name is not repeated here (it is not near any field name).");
        if (message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
            return new ValidationError(pointer, "Property appears more than once.");
        var expected = ExpectedKind(pointer);
        return new ValidationError(pointer, expected is null ? "Wrong type." : $"Wrong type: expected {expected}.");
    }

    // Reader messages can quote input fragments; drop them so no submitted value reaches a log.
    private static string Reason(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0)
            message = message[..cut].TrimEnd(' ', '|');
        var builder = new StringBuilder(message.Length);
        var inQuote = false;
        foreach (var c in message)
        {
            if (c == '\'')
            {
                if (!inQuote)
                    builder.Append("'…'");
                inQuote = !inQuote;
                continue;
            }
            if (!inQuote)
                builder.Append(c);
        }
        return builder.ToString().TrimEnd();
    }

    /// <summary>Converts a System.Text.Json path such as <c>$.victims[0]['a b']</c> to an RFC 6901 pointer.</summary>
    internal static string PathToPointer(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
            return "";
        var builder = new StringBuilder(path.Length + 4);
        var i = path[0] == '$' ? 1 : 0;
        while (i < path.Length)
        {
            var c = path[i];
            if (c == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                if (end < 0)
                    end = path.Length;
                builder.Append('/').Append(EscapePointerToken(path[(i + 1)..end]));
                i = end;
            }
            else if (c == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                    end = path.Length;
                builder.Append('/').Append(EscapePointerToken(path[(i + 2)..end]));
                i = Math.Min(end + 2, path.Length);
            }
            else if (c == '[')
            {
                var end = path.IndexOf(']', i + 1);
                if (end < 0)
                    end = path.Length;
                builder.Append('/').Append(path, i + 1, end - i - 1);
                i = Math.Min(end + 1, path.Length);
            }
            else
            {
                i++;
            }
        }
        return builder.ToString();
    }

    internal static string EscapePointerToken(string token) =>
        token.Contains('~') || token.Contains('/') ? token.Replace("~", "~0").Replace("/", "~1") : token;

    // Walks the serializer metadata along the pointer to say what JSON kind was expected there.
    private static string? ExpectedKind(string pointer)
    {
        Type? type = typeof(CaseSubmission);
        var nullable = false;
        foreach (var token in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (type is null)
                return null;
            var info = Options.GetTypeInfo(type);
            if (info.Kind == JsonTypeInfoKind.Enumerable)
            {
                type = info.ElementType;
                nullable = false;
            }
            else if (info.Kind == JsonTypeInfoKind.Object)
            {
                var property = info.Properties.FirstOrDefault(p => p.Name == token);
                type = property?.PropertyType;
                nullable = property?.IsSetNullable ?? false;
            }
            else
            {
                return null;
            }
        }
        return type is null ? null : Describe(Nullable.GetUnderlyingType(type) ?? type) + (nullable ? " or null" : "");
    }

    private static string Describe(Type type)
    {
        if (type == typeof(string))
            return "a string";
        if (type == typeof(int))
            return "an integer";
        return Options.GetTypeInfo(type).Kind switch
        {
            JsonTypeInfoKind.Enumerable => "an array",
            JsonTypeInfoKind.Object => "an object",
            _ => "a " + type.Name,
        };
    }

    private static int FirstInvalidUtf8Offset(ReadOnlySpan<byte> utf8)
    {
        var offset = 0;
        while (offset < utf8.Length)
        {
            if (Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
                return offset;
            offset += consumed;
        }
        return offset;
    }
}

/// <summary>Outcome of <see cref="CaseJson.Parse"/>: either a submission or the errors that prevented reading it.</summary>
public sealed class CaseParseResult
{
    private CaseParseResult(CaseSubmission? submission, IReadOnlyList<ValidationError> errors)
    {
        Submission = submission;
        Errors = errors;
    }

    /// <summary>The submission read, or null when <see cref="Errors"/> is not empty.</summary>
    public CaseSubmission? Submission { get; }

    public IReadOnlyList<ValidationError> Errors { get; }

    [MemberNotNullWhen(true, nameof(Submission))]
    public bool IsSuccess => Submission is not null;

    internal static CaseParseResult Succeeded(CaseSubmission submission) => new(submission, []);

    internal static CaseParseResult Failed(string pointer, string message) => new(null, [new ValidationError(pointer, message)]);

    internal static CaseParseResult Failed(ValidationError error) => new(null, [error]);

    internal static CaseParseResult Failed(IReadOnlyList<ValidationError> errors) => new(null, errors);
}
