namespace BenchMesh.LoadEngine.Transport;

/// <summary>Told of each receive that brought bytes, before they are parsed (the Runner dates its answers with it).</summary>
public interface IHttp11ReceiveObserver
{
    /// <param name="bodyBytesBefore">How many body bytes the earlier receives of this answer made available (de-chunked; 0 while bodies are not kept).</param>
    void Received(int bodyBytesBefore);
}
