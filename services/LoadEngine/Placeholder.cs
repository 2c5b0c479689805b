namespace BenchMesh.LoadEngine;
