using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace BenchMesh.Credentials;

/// <summary>
/// Encrypts and decrypts the credentials agents are registered with (their API keys). Suites stores and serves only
/// what <see cref="Protect"/> returns; the service that calls the agent decrypts it with <see cref="Unprotect"/> just
/// before the call, and keeps the plain text nowhere else.
/// </summary>
public sealed class AgentCredentials(IDataProtectionProvider provider)
{
    /// <summary>The purpose string: a payload protected for agent credentials opens only as one.</summary>
    public const string Purpose = "BenchMesh.AgentCredentials.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    /// <summary>The credential encrypted and authenticated with the key ring's current key (base64url text).</summary>
    public string Protect(string credential) => _protector.Protect(credential);

    /// <exception cref="AgentCredentialUnreadableException">
    /// The text is not a credential protected with a key of this key ring (the key ring is not the one Suites uses, or
    /// the text was altered).
    /// </exception>
    public string Unprotect(string protectedCredential)
    {
        try
        {
            return _protector.Unprotect(protectedCredential);
        }
        catch (CryptographicException e)
        {
            throw new AgentCredentialUnreadableException(e);
        }
    }
}

/// <summary>A stored credential could not be decrypted; the message says so in words (it is shown on a failed run).</summary>
public sealed class AgentCredentialUnreadableException(Exception inner) : Exception(
    "The agent's API key could not be decrypted: this service does not share the key ring it was encrypted with (ConnectionStrings:keysdb).",
    inner);
