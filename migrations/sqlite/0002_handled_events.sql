-- Events a consumer has handled to the end, so that a redelivered one (JetStream delivers at
-- least once: after a server restart it may deliver an acknowledged message again) is not done
-- twice. Kept for a few days: redeliveries come within minutes.
CREATE TABLE handled_events (
  consumer TEXT NOT NULL,
  event_id TEXT NOT NULL,
  handled_at TEXT NOT NULL,
  PRIMARY KEY (consumer, event_id)
);
CREATE INDEX handled_events_age ON handled_events (handled_at);
