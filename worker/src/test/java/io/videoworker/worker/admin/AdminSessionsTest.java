package io.videoworker.worker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.MovableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status page's sessions, with the clock moved by the test (12 h are not waited for). */
class AdminSessionsTest {
    final MovableClock clock = new MovableClock();

    @Test
    void aSessionEndsAfterTwelveHoursUnusedAndUseKeepsItAlive() {
        AdminSessions sessions = new AdminSessions(clock);
        AdminSessions.Session used = sessions.create();
        AdminSessions.Session idle = sessions.create();
        assertThat(used.id()).hasSize(43).isNotEqualTo(idle.id());
        assertThat(used.csrf()).hasSize(43).isNotEqualTo(used.id());
        clock.advance(Duration.ofHours(11));
        assertThat(sessions.find(used.id())).isEqualTo(used);
        clock.advance(Duration.ofHours(1));
        assertThat(sessions.find(idle.id())).as("12 h unused").isNull();
        assertThat(sessions.find(used.id())).as("used an hour ago").isEqualTo(used);
        clock.advance(AdminSessions.IDLE.minusSeconds(1));
        assertThat(sessions.find(used.id())).isEqualTo(used);
        clock.advance(AdminSessions.IDLE);
        assertThat(sessions.find(used.id())).isNull();
        assertThat(sessions.count()).isZero();
    }

    @Test
    void atMostAHundredSessionsTheLeastRecentlyUsedGivingWay() {
        AdminSessions sessions = new AdminSessions(clock);
        List<AdminSessions.Session> all = new ArrayList<>();
        for (int i = 0; i < AdminSessions.MAX; i++) {
            all.add(sessions.create());
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(sessions.find(all.get(0).id())).as("the oldest, used again").isNotNull();
        AdminSessions.Session extra = sessions.create();
        assertThat(sessions.count()).isEqualTo(AdminSessions.MAX);
        assertThat(sessions.find(all.get(1).id())).as("the least recently used gave way").isNull();
        assertThat(sessions.find(all.get(0).id())).isNotNull();
        assertThat(sessions.find(extra.id())).isNotNull();
        assertThat(new HashSet<>(all.stream().map(AdminSessions.Session::id).toList())).hasSize(AdminSessions.MAX);
    }

    @Test
    void unknownEndedAndAbsurdIdsFindNothing() {
        AdminSessions sessions = new AdminSessions(clock);
        AdminSessions.Session s = sessions.create();
        assertThat(sessions.find(null)).isNull();
        assertThat(sessions.find("")).isNull();
        assertThat(sessions.find(s.id() + "x")).isNull();
        assertThat(sessions.find(s.id().substring(1))).isNull();
        assertThat(sessions.find("x".repeat(100_000))).isNull();
        assertThat(s.toString()).doesNotContain(s.id()).doesNotContain(s.csrf());
        sessions.end(s);
        assertThat(sessions.find(s.id())).isNull();
    }
}
