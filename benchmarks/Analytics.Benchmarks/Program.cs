using Analytics.Benchmarks.Ingest;

// Plain harness: the HTTP phases need a real server process, which BenchmarkDotNet does not manage.
var command = args.Length > 0 ? args[0] : "";
// "ingest --help" and the like print that command's usage to standard output and succeed.
if (args.Length > 1 && args[1..].Any(a => a is "-h" or "--help"))
{
    var usage = command switch
    {
        "ingest" => IngestOptions.Usage,
        "queries" => Analytics.Benchmarks.Queries.QueryBenchmark.Usage,
        "training" => Analytics.Benchmarks.Training.TrainingBenchmark.Usage,
        "bulk" => Analytics.Benchmarks.Bulk.BulkBenchmark.Usage,
        "links" => Analytics.Benchmarks.Links.LinkBenchmark.Usage,
        "refresh" => Analytics.Benchmarks.Refresh.RefreshBenchmark.Usage,
        "rekey" => Analytics.Benchmarks.Rekey.RekeyBenchmark.Usage,
        "all" => Analytics.Benchmarks.Suite.SuiteOptions.Usage,
        _ => null,
    };
    if (usage is not null)
    {
        Console.WriteLine(usage);
        return 0;
    }
}
switch (command)
{
    case "ingest":
        IngestOptions options;
        try
        {
            options = IngestOptions.Parse(args[1..]);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(IngestOptions.Usage);
            return 2;
        }
        return options.Databases is not null || options.Nodes is not null
            ? await DatabaseComparison.RunAsync(options, args)
            : await IngestBenchmark.RunAsync(options, args);
    case "queries":
        return await Analytics.Benchmarks.Queries.QueryBenchmark.RunAsync(args[1..]);
    case "training":
        return await Analytics.Benchmarks.Training.TrainingBenchmark.RunAsync(args[1..]);
    case "bulk":
        return await Analytics.Benchmarks.Bulk.BulkBenchmark.RunAsync(args[1..]);
    case "links":
        return await Analytics.Benchmarks.Links.LinkBenchmark.RunAsync(args[1..]);
    case "refresh":
        return await Analytics.Benchmarks.Refresh.RefreshBenchmark.RunAsync(args[1..]);
    case "rekey":
        return await Analytics.Benchmarks.Rekey.RekeyBenchmark.RunAsync(args[1..]);
    case "all":
        // Every part above as a child process, each within a budget, plus the HMAC peer: docs/benchmarks/README.md.
        return await Analytics.Benchmarks.Suite.SuiteRunner.RunAsync(args[1..]);
    default:
        Console.Error.WriteLine("Commands:");
        Console.Error.WriteLine("  " + Analytics.Benchmarks.Suite.SuiteOptions.Usage);
        Console.Error.WriteLine("  " + IngestOptions.Usage);
        Console.Error.WriteLine("  " + Analytics.Benchmarks.Queries.QueryBenchmark.Usage);
        Console.Error.WriteLine("  " + Analytics.Benchmarks.Bulk.BulkBenchmark.Usage);
        Console.Error.WriteLine("  " + Analytics.Benchmarks.Links.LinkBenchmark.Usage);
        Console.Error.WriteLine("  " + Analytics.Benchmarks.Refresh.RefreshBenchmark.Usage);
        Console.Error.WriteLine("  " + Analytics.Benchmarks.Rekey.RekeyBenchmark.Usage);
        Console.Error.WriteLine("  training [--sizes 10k,100k,1m] [--k 10] [--threads 2] [--steps kmeans,kmeans-e2e,kmeans-auto,fasttree,classifier] [--no-sklearn]");
        Console.Error.WriteLine("COMMAND --help prints that command's options.");
        return command is "" or "-h" or "--help" ? 0 : 2;
}
