namespace BenchMesh.LoadEngine.Thresholds;

/// <summary>A threshold expression that cannot be parsed; the message quotes it and says what is wrong.</summary>
public sealed class ThresholdFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="expression"/>.</summary>
    public ThresholdFormatException(string expression, string problem)
        : base($"threshold '{expression}': {problem}")
    {
        Expression = expression;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public ThresholdFormatException()
    {
        Expression = "";
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ThresholdFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Expression = "";
    }

    /// <summary>The expression as written.</summary>
    public string Expression { get; }
}
