using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace BenchMesh.Gateway.Keys;

/// <summary>
/// An API key as clients hold it: <c>bm_{id}_{secret}</c>. The id (16 lowercase hex digits) names the key's row; the
/// secret is 32 random bytes in base64url (43 characters, which may themselves contain '_'). Only
/// <see cref="HashSecret"/> of the secret is stored.
/// </summary>
public sealed record ApiKeyToken(string Id, string Secret)
{
    public const string Scheme = "bm";
    public const int IdLength = 16;
    private const int SecretBytes = 32;
    private const int SecretLength = 43;

    /// <summary>How many of the secret's characters a listing shows (24 of 256 bits: recognisable, not guessable).</summary>
    private const int PrefixSecretCharacters = 4;

    /// <summary>The whole key, as the client sends it: answered once, written only to the operator key file.</summary>
    public string Key => $"{Scheme}_{Id}_{Secret}";

    /// <summary>Only the prefix: a token that ends up in a log or a debugger view does not give the key away.</summary>
    public override string ToString() => Prefix + "…";

    /// <summary>The start of the key, safe to store and list (<see cref="Data.ApiKey.Prefix"/>).</summary>
    public string Prefix => $"{Scheme}_{Id}_{Secret[..PrefixSecretCharacters]}";

    public static ApiKeyToken Generate() => new(
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2)),
        WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(SecretBytes)));

    /// <summary>Splits a presented key; false for anything not shaped exactly like one this gateway issues.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ApiKeyToken? token)
    {
        token = null;
        if (text is null || text.Length != Scheme.Length + 1 + IdLength + 1 + SecretLength
            || !text.StartsWith(Scheme + "_", StringComparison.Ordinal) || text[Scheme.Length + 1 + IdLength] != '_')
        {
            return false;
        }

        var id = text.Substring(Scheme.Length + 1, IdLength);
        var secret = text[(Scheme.Length + 1 + IdLength + 1)..];
        if (!id.All(char.IsAsciiHexDigitLower) || !secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return false;
        }

        token = new ApiKeyToken(id, secret);
        return true;
    }

    /// <summary>
    /// SHA-256 of the secret. A fast, unsalted hash is the right tool here, unlike for passwords: the secret is 256 random
    /// bits, so there is no dictionary to try and brute force over 2^256 is out of reach however fast each guess is.
    /// Slow password hashes (bcrypt, Argon2) and salts exist to protect low-entropy, reused human secrets; they would only
    /// make every authenticated request slower.
    /// </summary>
    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));

    /// <summary>Whether <paramref name="secret"/> hashes to <paramref name="storedHash"/>, in constant time.</summary>
    public static bool Matches(string secret, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(HashSecret(secret), storedHash);
}
