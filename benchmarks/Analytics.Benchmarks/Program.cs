using Analytics.Benchmarks.Ingest;

// Plain harness: the HTTP phases need a real server process, which BenchmarkDotNet does not manage.
var command = args.Length > 0 ? args[0] : "";
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
        return await IngestBenchmark.RunAsync(options, args);
    default:
        Console.Error.WriteLine("Commands:");
        Console.Error.WriteLine("  " + IngestOptions.Usage);
        return command is "" or "-h" or "--help" ? 0 : 2;
}
