namespace BenchMesh.Statistics;
