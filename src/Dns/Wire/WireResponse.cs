using ARSoft.Tools.Net.Dns;

namespace Mesh.Dns.Wire;

/// <summary>
/// An encoded response, ready to send once <see cref="ResponseWriter.Patch"/> has put in the asker's id, RD bit and
/// letter case. When <see cref="RecordLength"/> is set, the <see cref="AnswerCount"/> answer records from
/// <see cref="AnswerOffset"/> all have that length and may be shuffled in place.
/// </summary>
internal sealed record WireResponse(byte[] Bytes, ReturnCode Code, bool Truncated, int AnswerOffset, int AnswerCount, int RecordLength)
{
    public bool Shuffles => RecordLength > 0 && AnswerCount > 1;
}
