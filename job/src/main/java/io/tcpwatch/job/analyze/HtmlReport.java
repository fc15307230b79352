package io.tcpwatch.job.analyze;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tcpwatch.common.ChartJs;
import io.tcpwatch.core.record.RstCause;
import io.tcpwatch.job.analyze.AnalyzeReport.Diagnosis;
import io.tcpwatch.job.analyze.AnalyzeReport.Item;
import io.tcpwatch.job.analyze.AnalyzeReport.ServerRow;
import io.tcpwatch.core.ladder.Ladder;
import io.tcpwatch.core.ladder.LadderSvg;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * {@code analyze --html}: the report as one self-contained page — no request leaves it when it is
 * opened (its content security policy forbids any), Chart.js and the data inlined. The diagnosis
 * ranked by cause with each finding's explanation, remedy and Wireshark filter (with a copy
 * button) and, for a finding on a connection, the ladder diagram of the packets its first
 * connection's record carries ({@link LadderSvg});
 * the servers' summary, and a timeline per server: connections, resets by cause, retransmissions,
 * concurrency, per fleet window.
 */
final class HtmlReport {

    /** Timelines drawn, for the servers with the most connections. */
    static final int CHARTED_SERVERS = 12;
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private HtmlReport() {}

    /** The page. */
    static String render(String header, Diagnosis diagnosis, List<ServerRow> servers, Map<String, List<long[]>> timelines) {
        StringBuilder h = new StringBuilder(256 * 1024);
        h.append("""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8">
                <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; \
                style-src 'unsafe-inline'; img-src data:">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>tcpwatch analyze</title>
                <style>
                body { margin: 0 auto; max-width: 1200px; padding: 1em 1.5em 3em; font: 14px/1.5 system-ui, sans-serif; color: #1d2329; }
                h1 { font-size: 1.4em; margin: .2em 0; } h2 { font-size: 1.1em; margin: 1.6em 0 .5em; }
                .header { color: #57606a; } .finding { border: 1px solid #d0d7de; border-radius: 6px; padding: .6em 1em;
                  margin: .6em 0; } .finding h3 { margin: 0 0 .3em; font-size: 1em; }
                .sev { font-size: .8em; padding: .1em .5em; border-radius: 4px; margin-right: .5em; color: #fff; }
                .sev-CRITICAL { background: #cf222e; } .sev-WARNING { background: #bf8700; } .sev-INFO { background: #6e7781; }
                .try { color: #57606a; } code { background: #f6f8fa; padding: .2em .4em; border-radius: 4px; word-break: break-all; }
                button { margin-left: .5em; } table { border-collapse: collapse; width: 100%; }
                th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #d0d7de; }
                td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
                .chart { height: 260px; margin: .5em 0 1.5em; } ul { padding-left: 1.2em; }
                svg.ladder { display: block; margin: .6em 0; }
                </style></head><body>
                <h1>tcpwatch analyze</h1>
                """);
        h.append("<p class=\"header\">").append(esc(header.replaceFirst("^tcpwatch analyze: ", ""))).append("</p>\n");
        diagnosis(h, diagnosis);
        servers(h, servers);
        timelines(h, servers, timelines);
        h.append("<script>").append(ChartJs.script().replace("</script", "<\\/script")).append("</script>\n");
        h.append("<script id=\"timelines\" type=\"application/json\">").append(json(servers, timelines)).append("</script>\n");
        h.append("""
                <script>
                'use strict';
                for (const b of document.querySelectorAll('button.copy')) {
                  b.addEventListener('click', () => {
                    const code = b.previousElementSibling;
                    const done = () => { b.textContent = 'copied'; setTimeout(() => { b.textContent = 'copy'; }, 1500); };
                    (navigator.clipboard ? navigator.clipboard.writeText(code.textContent) : Promise.reject())
                      .then(done, () => { getSelection().selectAllChildren(code); });
                  });
                }
                const DATA = JSON.parse(document.getElementById('timelines').textContent);
                // resets as light stacked bars by cause, the counts as dark lines (points, so that one window shows)
                const COLORS = ['#ff818266', '#d4a72c66', '#54aeff66', '#8c959f66', '#c297ff66', '#4ac26b66', '#ff80c866', '#6e778166'];
                for (const s of DATA.servers) {
                  const labels = s.points.map(p => new Date(p[0]).toISOString().slice(11, 19));
                  const resets = DATA.causes.map((c, i) => ({type: 'bar', label: 'RST ' + c, stack: 'rst', yAxisID: 'rst',
                    data: s.points.map(p => p[5 + i]), backgroundColor: COLORS[i]})).filter(d => d.data.some(v => v > 0));
                  const line = (label, i, color) => ({type: 'line', label, data: s.points.map(p => p[i]), borderColor: color,
                    backgroundColor: color, pointRadius: 2});
                  new Chart(document.getElementById('chart-' + s.index), {
                    data: {labels, datasets: [line('new connections', 1, '#0550ae'), line('half-open', 2, '#a40e26'),
                      line('retransmitted segments', 3, '#7d4e00'), line('peak concurrent', 4, '#24292f'), ...resets]},
                    options: {animation: false, maintainAspectRatio: false,
                      plugins: {title: {display: true, text: s.server + ' — per 10 s window (UTC)'}},
                      scales: {x: {stacked: true, ticks: {maxTicksLimit: 10}}, y: {beginAtZero: true},
                        rst: {stacked: true, beginAtZero: true, position: 'right', title: {display: true, text: 'reset connections'}}}}
                  });
                }
                </script>
                </body></html>
                """);
        return h.toString();
    }

    private static void diagnosis(StringBuilder h, Diagnosis d) {
        h.append("<h2>Diagnosis</h2>\n");
        if (d.ranked().isEmpty()) {
            h.append("<p>No faults found").append(d.normal().isEmpty() ? "." : "; only normal behaviour, below.").append("</p>\n");
        }
        for (Item i : d.ranked()) {
            h.append("<div class=\"finding\" data-rank=\"").append(i.rank()).append("\">\n<h3><span class=\"sev sev-")
                    .append(esc(i.severity())).append("\">").append(esc(i.severity())).append("</span>").append(i.rank())
                    .append(". ").append(esc(i.headline())).append("</h3>\n<p>").append(esc(i.explanation()))
                    .append("</p>\n<p class=\"try\">Try: ").append(esc(i.remedy())).append("</p>\n")
                    .append("<p>Wireshark: <code class=\"filter\">").append(esc(i.filter()))
                    .append("</code><button class=\"copy\">copy</button></p>\n");
            if (!i.packets().isEmpty()) {
                LadderSvg.append(h, Ladder.of(i.client(), i.server(), i.packets()));
            }
            h.append("</div>\n");
        }
        list(h, "Explained by the findings above", d.explained());
        if (!d.normal().isEmpty()) {
            h.append("<h3>Normal, not a fault</h3>\n<ul>\n");
            for (Item i : d.normal()) {
                h.append("<li class=\"normal\">").append(esc(i.headline() + ". " + i.remedy()));
                if (!i.packets().isEmpty()) {
                    h.append("<details><summary>the packets</summary>\n");
                    LadderSvg.append(h, Ladder.of(i.client(), i.server(), i.packets()));
                    h.append("</details>");
                }
                h.append("</li>\n");
            }
            h.append("</ul>\n");
        }
    }

    private static void list(StringBuilder h, String title, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        h.append("<h3>").append(esc(title)).append("</h3>\n<ul>\n");
        lines.forEach(l -> h.append("<li>").append(esc(l)).append("</li>\n"));
        h.append("</ul>\n");
    }

    private static void servers(StringBuilder h, List<ServerRow> servers) {
        h.append("<h2>Servers</h2>\n<table id=\"servers\"><thead><tr><th>endpoint</th>");
        for (String c : List.of("conns", "SF", "REJ", "RSTO", "RSTR", "other", "retrans", "peak conc", "resp p90 ms")) {
            h.append("<th class=\"num\">").append(c).append("</th>");
        }
        h.append("</tr></thead><tbody>\n");
        for (ServerRow r : servers) {
            h.append("<tr><td>").append(esc(r.endpoint())).append("</td>");
            for (long n : new long[] {r.conns(), r.sf(), r.rej(), r.rsto(), r.rstr(), r.other(), r.retransmissions(),
                    r.peakConcurrency()}) {
                h.append("<td class=\"num\">").append(n).append("</td>");
            }
            h.append("<td class=\"num\">").append(r.slowestP90() < 0 ? "—" : String.format("%.1f", r.slowestP90()))
                    .append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static void timelines(StringBuilder h, List<ServerRow> servers, Map<String, List<long[]>> timelines) {
        List<ServerRow> charted = charted(servers, timelines);
        h.append("<h2>Timelines</h2>\n");
        if (charted.isEmpty()) {
            h.append("<p>No fleet windows.</p>\n");
        }
        if (servers.size() > charted.size()) {
            h.append("<p class=\"header\">The ").append(charted.size()).append(" servers with the most connections.</p>\n");
        }
        for (int i = 0; i < charted.size(); i++) {
            h.append("<div class=\"chart\"><canvas id=\"chart-").append(i).append("\"></canvas></div>\n");
        }
    }

    private static List<ServerRow> charted(List<ServerRow> servers, Map<String, List<long[]>> timelines) {
        return servers.stream().filter(r -> timelines.containsKey(r.endpoint())).limit(CHARTED_SERVERS).toList();
    }

    /** The charts' data: the RST causes in column order, and per charted server its points. */
    private static String json(List<ServerRow> servers, Map<String, List<long[]>> timelines) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeArrayFieldStart("causes");
            for (RstCause c : RstCause.values()) {
                g.writeString(c.name());
            }
            g.writeEndArray();
            g.writeArrayFieldStart("servers");
            List<ServerRow> charted = charted(servers, timelines);
            for (int i = 0; i < charted.size(); i++) {
                g.writeStartObject();
                g.writeNumberField("index", i);
                g.writeStringField("server", charted.get(i).endpoint());
                g.writeArrayFieldStart("points");
                for (long[] p : timelines.get(charted.get(i).endpoint())) {
                    g.writeArray(p, 0, p.length);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString().replace("</", "<\\/");
    }

    /** Text as HTML. */
    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
