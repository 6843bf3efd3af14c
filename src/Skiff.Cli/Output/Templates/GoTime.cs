using System.Text;

namespace Skiff.Cli.Output.Templates;

/// <summary>
/// Go's time.Time.String() from a time's RFC 3339 text (as encoding/json writes it): "2006-01-02 15:04:05.999999999
/// -0700 MST", the fraction without trailing zeros (none when zero), a zero offset as "+0000 UTC" and any other
/// offset named by itself ("+0100 +0100", Go's unnamed fixed zone). The digits are taken from the text, so nanoseconds survive.
/// </summary>
internal static class GoTime
{
    /// <summary>The Go form of <paramref name="rfc3339"/>; text that is not RFC 3339 is returned as it is.</summary>
    public static string Format(string rfc3339)
    {
        var s = rfc3339.AsSpan();
        if (s.Length < 20 || s[10] is not ('T' or 't' or ' ') || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':')
            return rfc3339;
        int i = 19;
        string fraction = "";
        if (s[i] == '.')
        {
            int start = ++i;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            fraction = s[start..i].ToString().TrimEnd('0');
        }
        if (i >= s.Length) return rfc3339;
        string zone;
        if (s[i] is 'Z' or 'z' && i == s.Length - 1)
        {
            zone = "+0000 UTC";
        }
        else if (s[i] is '+' or '-' && s.Length - i == 6 && s[i + 3] == ':')
        {
            string offset = string.Concat(s.Slice(i, 3), s.Slice(i + 4, 2));
            zone = offset is "+0000" or "-0000" ? "+0000 UTC" : $"{offset} {offset}"; // this machine's zone is UTC
        }
        else
        {
            return rfc3339;
        }
        var sb = new StringBuilder(40);
        sb.Append(s[..10]).Append(' ').Append(s[11..19]);
        if (fraction.Length > 0) sb.Append('.').Append(fraction);
        return sb.Append(' ').Append(zone).ToString();
    }
}
