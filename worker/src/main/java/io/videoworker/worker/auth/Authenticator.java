package io.videoworker.worker.auth;

/** Decides whether a caller (Lion, Razor) may use the API. */
public interface Authenticator {
    /** The outcome: accepted, or rejected with the HTTP status to answer and why. */
    record Verdict(boolean accepted, int status, String reason) {
        public static final Verdict OK = new Verdict(true, 200, "");

        public static Verdict reject(int status, String reason) {
            return new Verdict(false, status, reason);
        }
    }

    /**
     * @param authorization the Authorization header (may be null)
     * @param date          the Date header (may be null)
     * @param org           the X-JMS-ORG header (may be null)
     */
    Verdict check(String authorization, String date, String org);
}
