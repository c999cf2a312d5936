using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Analytics.Learning.Registry;

/// <summary>
/// A small pool of ML.NET prediction engines for one loaded model. A PredictionEngine is not
/// thread-safe, so each call rents an engine for its own use and returns it afterwards; engines are
/// created on demand, so the pool grows to the peak number of concurrent callers.
/// </summary>
public sealed class PredictionEnginePool<TIn, TOut>
    where TIn : class
    where TOut : class, new()
{
    private readonly ConcurrentBag<PredictionEngine<TIn, TOut>> _engines = [];
    private readonly Func<PredictionEngine<TIn, TOut>> _create;
    private readonly Lock _createLock = new();

    /// <summary>Creates a pool over <paramref name="model"/>.</summary>
    public PredictionEnginePool(MLContext ml, ITransformer model, SchemaDefinition? inputDefinition = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        _create = () => ml.Model.CreatePredictionEngine<TIn, TOut>(model, ignoreMissingColumns: true, inputSchemaDefinition: inputDefinition);
    }

    /// <summary>Predicts one row on an engine that no other thread uses meanwhile.</summary>
    public TOut Predict(TIn input)
    {
        if (!_engines.TryTake(out var engine))
        {
            // Engine creation touches the shared MLContext; serialise it, it happens rarely.
            lock (_createLock)
                engine = _create();
        }
        try
        {
            // A fresh output object per call: the caller may keep it while the engine is reused.
            var output = new TOut();
            engine.Predict(input, ref output);
            return output;
        }
        finally
        {
            _engines.Add(engine);
        }
    }
}
