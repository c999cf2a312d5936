// Hangfire keeps process-wide state (its log provider and JobStorage.Current) that each service instance
// replaces on start; service instances in this assembly therefore run one test class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
