-- Signed changes (issue 16): each device's Ed25519 public key, registered at enrolment; a
-- device with one must seal every change it pushes. A hub keeps what it saw of each seal
-- (`pendamping_protocol::seal::Kept`, postcard) and which leaf each relayed change is, to
-- prove them to the centre in batches of its own.
ALTER TABLE devices ADD COLUMN public_key BLOB;

CREATE TABLE seals (
    id     INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    kept   BLOB NOT NULL
);

ALTER TABLE changes ADD COLUMN seal INTEGER REFERENCES seals (id);
ALTER TABLE changes ADD COLUMN leaf INTEGER;
