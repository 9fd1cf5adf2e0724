namespace FunctionsApp.Http;

/// <summary>Reading a request body with a bound, the same way for every HTTP function that takes one.</summary>
public static class HttpBody
{
    /// <summary>
    /// Reads no more than <paramref name="limit"/> bytes, so an oversized body costs little; with or
    /// without Content-Length (a chunked body is bounded the same way). A caller that asks for one
    /// byte more than it accepts learns from the length whether the body was too large.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAtMostAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var buffer = new byte[limit];
        var total = 0;
        int read;
        while (total < limit && (read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return buffer.AsMemory(0, total);
    }
}
