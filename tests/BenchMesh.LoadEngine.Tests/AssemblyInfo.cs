// The load tests measure timing on a 2-core machine: run their classes one at a time, so one class's load is not
// another's noise (a generator starved of CPU sends in bursts, and bursts trip capacity limits).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
