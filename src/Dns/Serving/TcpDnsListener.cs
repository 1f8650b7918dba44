using System.Diagnostics;
using System.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Dns.Observability;
using Microsoft.Extensions.Logging;

namespace Mesh.Dns.Serving;

/// <summary>
/// DNS over TCP through ARSoft.Tools.Net's server: the full answer, never truncated (a client retries here after a
/// truncated UDP response). The answers are the same <see cref="Zones.ZoneView"/> answers as over UDP.
/// </summary>
internal sealed partial class TcpDnsListener : IDisposable
{
    private const int ReadWriteTimeoutMilliseconds = 5_000;
    private const int KeepAliveMilliseconds = 10_000;

    private readonly DnsServer _server;
    private readonly int? _view;
    private readonly DnsResponder _responder;
    private readonly DnsViews _views;
    private readonly UpstreamForwarder _forwarder;
    private readonly DnsMetrics _metrics;
    private readonly ILogger _logger;

    public TcpDnsListener(IPEndPoint endpoint, int? view, DnsResponder responder, DnsViews views, UpstreamForwarder forwarder, DnsMetrics metrics, ILogger logger)
    {
        Bound = endpoint;
        _view = view;
        _responder = responder;
        _views = views;
        _forwarder = forwarder;
        _metrics = metrics;
        _logger = logger;
        _server = new DnsServer(new TcpServerTransport(endpoint, ReadWriteTimeoutMilliseconds, KeepAliveMilliseconds));
        _server.QueryReceived += OnQueryAsync;
        _server.ExceptionThrown += OnExceptionAsync;
    }

    public IPEndPoint Bound { get; }

    public void Start() => _server.Start();

    public void Dispose() => _server.Stop();

    private async Task OnQueryAsync(object sender, QueryReceivedEventArgs e)
    {
        var start = Stopwatch.GetTimestamp();
        if (e.Query is ARSoft.Tools.Net.Dns.DynamicUpdate.DnsUpdateMessage update)
        {
            // ARSoft parses UPDATE (opcode 5) into its own type; Mesh takes no updates, the same NOTIMP as over UDP.
            var refused = update.CreateResponseInstance();
            refused.ReturnCode = ReturnCode.NotImplemented;
            e.Response = refused;
            _metrics.Answered(0, (int)ReturnCode.NotImplemented, tcp: true, Stopwatch.GetElapsedTime(start).TotalSeconds);
            return;
        }
        if (e.Query is not DnsMessage query) return;
        var response = query.CreateResponseInstance();
        // Our own OPT, not the query's echoed: version 0, our payload size, the asker's DO bit.
        if (query.IsEDnsEnabled)
            response.EDnsOptions = new OptRecord(_responder.UdpSize) { IsDnsSecOk = query.EDnsOptions?.IsDnsSecOk ?? false };
        ushort type = 0;
        if (query.OperationCode != OperationCode.Query)
        {
            response.ReturnCode = ReturnCode.NotImplemented;
        }
        else if (query.IsEDnsEnabled && query.EDnsOptions!.Version != 0)
        {
            response.ReturnCode = ReturnCode.BadVersion;
        }
        else if (query.Questions.Count != 1)
        {
            response.ReturnCode = ReturnCode.FormatError;
        }
        else if (query.Questions[0] is var question && question.RecordClass != RecordClass.INet)
        {
            type = (ushort)question.RecordType;
            response.ReturnCode = ReturnCode.NotImplemented;
        }
        else
        {
            type = (ushort)question.RecordType;
            var view = _views.Choose(_view, _views.HasSubnets ? e.RemoteEndpoint.Address : null);
            var answer = _responder.Answer(question.Name, question.RecordType, view);
            if (answer.Code == ReturnCode.Refused && _forwarder.Enabled)
            {
                response = await ForwardAsync(query).ConfigureAwait(false);
                e.Response = response;
                _metrics.Answered(type, (int)response.ReturnCode, tcp: true, Stopwatch.GetElapsedTime(start).TotalSeconds);
                return;
            }
            response.ReturnCode = answer.Code;
            response.IsAuthoritiveAnswer = answer.Authoritative;
            response.AnswerRecords.AddRange(answer.Answers);
            if (answer.Shuffled) Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(response.AnswerRecords));
            response.AuthorityRecords.AddRange(answer.Authority);
            response.AdditionalRecords.AddRange(answer.Additional);
        }
        e.Response = response;
        _metrics.Answered(type, (int)response.ReturnCode, tcp: true, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private async Task<DnsMessage> ForwardAsync(DnsMessage query)
    {
        var response = query.CreateResponseInstance();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(ReadWriteTimeoutMilliseconds));
        if (await _forwarder.AskAsync(query, timeout.Token).ConfigureAwait(false) is not { } upstream)
        {
            response.ReturnCode = ReturnCode.ServerFailure;
            return response;
        }
        response.ReturnCode = upstream.ReturnCode;
        response.IsRecursionAllowed = upstream.IsRecursionAllowed;
        response.AnswerRecords.AddRange(upstream.AnswerRecords);
        response.AuthorityRecords.AddRange(upstream.AuthorityRecords);
        response.AdditionalRecords.AddRange(upstream.AdditionalRecords.Where(r => r.RecordType != RecordType.Opt));
        return response;
    }

    private Task OnExceptionAsync(object sender, ExceptionEventArgs e)
    {
        Log.TcpFailed(_logger, Bound.Port, e.Exception);
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(4013, LogLevel.Debug, "DNS TCP connection on port {Port} failed")]
        public static partial void TcpFailed(ILogger logger, int port, Exception exception);
    }
}
