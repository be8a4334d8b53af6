package io.videoworker.worker.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.api.ApiServer.Route;
import io.videoworker.worker.auth.HttpSignature;
import io.videoworker.worker.auth.LocalKeyAuthenticator;
import io.videoworker.worker.security.ApiCalls;
import io.videoworker.worker.security.RawHttp;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint × bad-credential matrix of security.EndpointAuthTest with a JumpServer core
 * deciding: the worker forwards to core's profile check and must turn every refusal into a JSON
 * 401, and its 60 s cache of accepted callers must never accept a header pair core has not.
 */
class CoreModeAuthTest {
    @TempDir
    Path data;
    SimulatedCore core = new SimulatedCore();
    Service service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        core.close();
    }

    @Test
    void everyProtectedEndpointRefusesEveryBadCredentialAsCoreDoes() throws Exception {
        service = TestRecordings.worker(data, Map.of("CORE_HOST", core.url(), "BOOTSTRAP_TOKEN", core.bootstrapToken));
        String[] caller = core.addCaller();
        assertThat(service.api().routes()).containsExactlyInAnyOrderElementsOf(ApiCalls.everyRoute());
        int checked = 0;
        for (var e : ApiCalls.ALL.entrySet()) {
            RawHttp.Reply ok = ApiCalls.send(service.port(), e.getValue(), ApiCalls.lionHeaders(caller[0], caller[1]));
            assertThat(ok.status()).as(e.getKey() + " with Lion's signature: " + ok.body()).isNotEqualTo(401).isLessThan(500);
            if (ApiCalls.open(e.getKey())) {
                continue;
            }
            for (var bad : ApiCalls.badCredentials(e.getValue(), caller[0], caller[1]).entrySet()) {
                RawHttp.Reply r = ApiCalls.send(service.port(), e.getValue(), ApiCalls.headers(bad.getValue()[0], bad.getValue()[1]));
                String what = e.getKey() + " with " + bad.getKey();
                assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(401);
                assertThat(r.contentType()).as(what).startsWith("application/json");
                assertThat(r.error()).as(what).startsWith("unauthorized: ");
                checked++;
            }
        }
        assertThat(checked).isEqualTo(3 * 14);
        // a signature core accepts opens no status page: the page never asks core
        for (var e : ApiCalls.STATUS.entrySet()) {
            RawHttp.Reply r = ApiCalls.send(service.port(), e.getValue(), ApiCalls.lionHeaders(caller[0], caller[1]));
            assertThat(r.status()).as(e.getKey() + " with a signature core accepts: " + r.body()).isEqualTo(401);
            assertThat(r.contentType()).as(e.getKey().toString()).startsWith("text/html");
        }
    }

    @Test
    void theCacheOfAcceptedCallersKeysOnAuthorizationAndDate() throws Exception {
        service = TestRecordings.worker(data, Map.of("CORE_HOST", core.url(), "BOOTSTRAP_TOKEN", core.bootstrapToken));
        String[] caller = core.addCaller();
        String date = ApiCalls.lionDate(0);
        String auth = HttpSignature.authorization(caller[0], caller[1], "GET", LocalKeyAuthenticator.PROFILE_PATH, date);
        ApiCalls.Call status = ApiCalls.ALL.get(new Route("GET", "/api/v2/replay/tasks/{id}"));
        assertThat(ApiCalls.send(service.port(), status, ApiCalls.headers(auth, date)).status()).as("accepted, cached").isEqualTo(404);
        int profileChecks = core.calls("GET", LocalKeyAuthenticator.PROFILE_PATH).size();
        assertThat(ApiCalls.send(service.port(), status, ApiCalls.headers(auth, date)).status()).isEqualTo(404);
        assertThat(core.calls("GET", LocalKeyAuthenticator.PROFILE_PATH)).as("answered from the cache").hasSize(profileChecks);
        assertThat(ApiCalls.send(service.port(), status, ApiCalls.headers(auth, ApiCalls.lionDate(60))).status())
                .as("the same signature with another Date is core's to judge").isEqualTo(401);
        core.serviceAccounts.remove(caller[0]);
        String date2 = ApiCalls.lionDate(30); // not lionDate(1): a second boundary crossed since `date` made it the cached pair
        RawHttp.Reply person = ApiCalls.send(service.port(), status, ApiCalls.headers(
                HttpSignature.authorization(caller[0], caller[1], "GET", LocalKeyAuthenticator.PROFILE_PATH, date2), date2));
        assertThat(person.status()).isEqualTo(401);
        assertThat(person.error()).isEqualTo("unauthorized: the caller is not a service account");
    }

    /**
     * With core, core alone judges the caller (docs/jumpserver-integration.md §2.3): the stand-alone
     * Date and algorithm checks are not added, so a year-old Date core accepts is accepted.
     */
    @Test
    void coreModeAddsNoChecksOfItsOwn() throws Exception {
        service = TestRecordings.worker(data, Map.of("CORE_HOST", core.url(), "BOOTSTRAP_TOKEN", core.bootstrapToken));
        String[] caller = core.addCaller();
        String old = ApiCalls.lionDate(366L * 86_400);
        String auth = HttpSignature.authorization(caller[0], caller[1], "GET", LocalKeyAuthenticator.PROFILE_PATH, old);
        RawHttp.Reply r = ApiCalls.send(service.port(), ApiCalls.ALL.get(new Route("GET", "/api/v2/replay/tasks/{id}")),
                ApiCalls.headers(auth, old));
        assertThat(r.status()).as(r.body()).isEqualTo(404);
        assertThat(core.calls("GET", LocalKeyAuthenticator.PROFILE_PATH)).as("core was asked").isNotEmpty();
    }
}
