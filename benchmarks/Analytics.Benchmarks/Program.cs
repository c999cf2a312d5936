Console.WriteLine("benchmarks: see README");
