using System.Text.Json;
using System.Text.Json.Serialization;

namespace Analytics.Learning;

internal static class LearningJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // Metrics may legitimately be NaN (e.g. AUC of a class absent from the test set).
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
