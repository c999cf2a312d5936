if (args.Length > 0 && args[0] == "training")
    return await Analytics.Benchmarks.Training.TrainingBenchmark.RunAsync(args[1..]);

Console.WriteLine("benchmarks: see README");
return 0;
