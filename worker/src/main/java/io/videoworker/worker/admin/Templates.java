package io.videoworker.worker.admin;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.MustacheFactory;
import io.javalin.http.Context;
import io.videoworker.worker.api.AdminArea;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The status page's HTML: Mustache templates beside this class, where every {@code {{value}}} is
 * HTML-escaped (session ids, meta, file names, errors and log lines all come from callers). The
 * one unescaped insertion, {@code {{{css}}}} and {@code {{{script}}}}, is the worker's own
 * stylesheet and script, inlined so the page needs no second request and no open route; the
 * Content-Security-Policy allows exactly those two by their SHA-256 and nothing else: no other
 * script, style, frame, image or form target can run or load, whatever a value holds.
 */
final class Templates {
    private static final String ROOT = "io/videoworker/worker/admin/";

    /** What every page shows around its own content. */
    record Layout(String title, String version, boolean signedIn, String csrf, String who, String refresh, String notice,
            boolean noticeError) {
    }

    /** The inlined stylesheet and script. */
    private record Assets(String css, String script) {
    }

    private final MustacheFactory mustache = new DefaultMustacheFactory(ROOT);
    private final Assets assets = new Assets(resource("status.css"), resource("status.js"));
    private final String policy = "default-src 'none'; style-src '" + hash(assets.css()) + "'; script-src '"
            + hash(assets.script()) + "'; connect-src 'self'; img-src data:; form-action 'self'; frame-ancestors 'none'; "
            + "base-uri 'none'";

    /** Answers {@code status} with {@code template} filled from the layout and the page's model. */
    void reply(Context ctx, int status, String template, Layout layout, Object page) {
        StringWriter html = new StringWriter();
        mustache.compile(template + ".mustache").execute(html, List.of(assets, layout, page == null ? layout : page));
        ctx.attribute(AdminArea.ANSWERED, true);
        ctx.status(status)
                .header("Content-Security-Policy", policy)
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-store")
                .contentType("text/html; charset=utf-8")
                .result(html.toString());
    }

    String policy() {
        return policy;
    }

    private static String resource(String name) {
        try (InputStream in = Templates.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException(ROOT + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hash(String inline) {
        return "sha256-" + Base64.getEncoder().encodeToString(Secrets.sha256(inline));
    }
}
