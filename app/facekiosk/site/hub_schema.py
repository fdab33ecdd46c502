"""The hub's schema in PostgreSQL: what each kiosk role may see and do is decided here.

Every kiosk logs in as its own role (`fk_<16 hex>`), a member of the site's group role.
Row-level security: a kiosk reads and inserts only its own outbox and event rows and
updates only its own row of `kiosks`; nobody but the owner (the admin who ran `site init`)
updates or deletes anything. The owner's SECURITY DEFINER functions and the outbox trigger
do the rest: a pushed record moves its ciphertext into the shared `feed` (older rows of the
same Index ID are dropped: each record is the person's whole state), a purge drops every
row of the Index ID, anonymises its events and keeps only the Index ID and times until
every kiosk has acknowledged. Pushes take one advisory lock, so feed `seq` order is commit
order and a kiosk's pull cursor never skips a row committed late.
"""

from __future__ import annotations

import hashlib

from psycopg import Connection, sql

SCHEMA_VERSION = 1
CHANNEL = "facekiosk_feed"  # NOTIFY channel (per database)
FEED_LOCK = 7_316_001  # pg_advisory_xact_lock key serialising pushes
ROLE_PATTERN = "^fk_[0-9a-f]{16}$"

_DDL = """
CREATE SCHEMA facekiosk;
SET LOCAL search_path = facekiosk, pg_temp;
CREATE TABLE meta (
  site_id uuid PRIMARY KEY, created timestamptz NOT NULL DEFAULT now(),
  group_role name NOT NULL, reader_role name NOT NULL, schema_version int NOT NULL);
CREATE TABLE kiosks (
  role name PRIMARY KEY, kiosk_id text NOT NULL, joined_at timestamptz NOT NULL DEFAULT now(),
  last_sync timestamptz, pulled_seq bigint NOT NULL DEFAULT 0,
  audit_cursor bigint NOT NULL DEFAULT 0, event_cursor bigint NOT NULL DEFAULT 0,
  left_at timestamptz);
CREATE TABLE join_tokens (
  role name PRIMARY KEY, token_hash bytea NOT NULL, wrapped_key bytea,
  issued_by name NOT NULL, issued_at timestamptz NOT NULL DEFAULT now(), used_at timestamptz);
CREATE TABLE feed (
  seq bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), origin name NOT NULL,
  kind text NOT NULL CHECK (kind IN ('record', 'purge')), index_id text NOT NULL, body bytea);
CREATE INDEX feed_index_id ON feed (index_id);
CREATE TABLE outbox (
  origin name NOT NULL DEFAULT current_user, local_seq bigint NOT NULL,
  kind text NOT NULL, index_id text NOT NULL, at timestamptz NOT NULL DEFAULT now(),
  body bytea, feed_seq bigint, PRIMARY KEY (origin, local_seq, index_id));
CREATE INDEX outbox_index_id ON outbox (index_id);
CREATE TABLE purges (
  index_id text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), origin name NOT NULL);
CREATE TABLE purge_acks (
  index_id text NOT NULL REFERENCES purges ON DELETE CASCADE, role name NOT NULL,
  at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (index_id, role));
CREATE TABLE events (
  origin name NOT NULL DEFAULT current_user, local_id bigint NOT NULL,
  at timestamptz NOT NULL, kind text NOT NULL, index_id text, kiosk_id text NOT NULL,
  decision text NOT NULL, reason text NOT NULL, extra jsonb NOT NULL,
  received timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (origin, local_id));
CREATE INDEX events_at ON events (at);
CREATE INDEX events_index_id ON events (index_id);
CREATE TABLE duplicates (
  a text NOT NULL, b text NOT NULL, similarity real NOT NULL,
  found_by name NOT NULL DEFAULT current_user, at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (a, b), CHECK (a < b));

CREATE FUNCTION issue_token(p_role name, p_verifier text, p_hash bytea, p_wrapped bytea)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = facekiosk, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM kiosks WHERE role = session_user AND left_at IS NULL)
     AND session_user <> (SELECT nspowner::regrole::name FROM pg_namespace
                          WHERE nspname = 'facekiosk') THEN
    RAISE EXCEPTION 'only a member kiosk issues join tokens' USING ERRCODE = '42501';
  END IF;
  IF p_role !~ {role_pattern} OR p_verifier !~ '^SCRAM-SHA-256\\$' THEN
    RAISE EXCEPTION 'malformed join token request' USING ERRCODE = '22023';
  END IF;
  EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', p_role, p_verifier,
                 (SELECT group_role FROM meta));
  INSERT INTO join_tokens(role, token_hash, wrapped_key, issued_by)
  VALUES (p_role, p_hash, p_wrapped, session_user);
END $$;

CREATE FUNCTION redeem_token(p_hash bytea, p_kiosk_id text)
RETURNS bytea LANGUAGE plpgsql SECURITY DEFINER SET search_path = facekiosk, pg_temp AS $$
DECLARE t join_tokens;
BEGIN
  SELECT * INTO t FROM join_tokens WHERE role = session_user FOR UPDATE;
  IF NOT FOUND OR t.used_at IS NOT NULL OR t.token_hash <> p_hash THEN
    RAISE EXCEPTION 'join token refused: wrong, or already used' USING ERRCODE = '28000';
  END IF;
  IF EXISTS (SELECT 1 FROM kiosks WHERE kiosk_id = p_kiosk_id) THEN
    RAISE EXCEPTION 'kiosk id % is already a member of this site: give another with --kiosk-id',
      p_kiosk_id USING ERRCODE = '23505';
  END IF;
  UPDATE join_tokens SET used_at = now(), wrapped_key = NULL WHERE role = session_user;
  INSERT INTO kiosks(role, kiosk_id) VALUES (session_user, p_kiosk_id);
  RETURN t.wrapped_key;
END $$;

CREATE FUNCTION outbox_in() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = facekiosk, pg_temp AS $$
BEGIN
  NEW.origin := session_user;
  PERFORM pg_advisory_xact_lock({feed_lock});
  IF NEW.kind = 'purge' THEN
    INSERT INTO purges(index_id, origin) VALUES (NEW.index_id, NEW.origin)
      ON CONFLICT DO NOTHING;
    INSERT INTO purge_acks(index_id, role) VALUES (NEW.index_id, NEW.origin)
      ON CONFLICT DO NOTHING;
    DELETE FROM feed WHERE index_id = NEW.index_id;
    DELETE FROM outbox WHERE index_id = NEW.index_id;
    DELETE FROM duplicates WHERE a = NEW.index_id OR b = NEW.index_id;
    UPDATE events SET index_id = NULL WHERE index_id = NEW.index_id;
    INSERT INTO feed(origin, kind, index_id) VALUES (NEW.origin, 'purge', NEW.index_id)
      RETURNING seq INTO NEW.feed_seq;
  ELSIF EXISTS (SELECT 1 FROM purges WHERE index_id = NEW.index_id) THEN
    NEW.kind := 'ignored';  -- a change made offline to someone purged meanwhile
  ELSE
    DELETE FROM feed WHERE index_id = NEW.index_id;  -- superseded: a record is whole state
    INSERT INTO feed(origin, kind, index_id, body)
      VALUES (NEW.origin, 'record', NEW.index_id, NEW.body) RETURNING seq INTO NEW.feed_seq;
  END IF;
  NEW.body := NULL;
  IF NEW.feed_seq IS NOT NULL THEN
    PERFORM pg_notify('{channel}', NEW.feed_seq::text);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER outbox_in BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_in();

-- An offline kiosk pushes before it pulls: its events and duplicate reports may still name
-- someone purged meanwhile. They arrive anonymised / are dropped.
CREATE FUNCTION forget_purged() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = facekiosk, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'events' THEN
    IF EXISTS (SELECT 1 FROM purges WHERE index_id = NEW.index_id) THEN
      NEW.index_id := NULL;
    END IF;
  ELSIF EXISTS (SELECT 1 FROM purges WHERE index_id IN (NEW.a, NEW.b)) THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER events_forget BEFORE INSERT ON events
  FOR EACH ROW EXECUTE FUNCTION forget_purged();
CREATE TRIGGER duplicates_forget BEFORE INSERT ON duplicates
  FOR EACH ROW EXECUTE FUNCTION forget_purged();

CREATE FUNCTION ack_purge(p_index_id text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = facekiosk, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM kiosks WHERE role = session_user)
     AND EXISTS (SELECT 1 FROM purges WHERE index_id = p_index_id) THEN
    INSERT INTO purge_acks(index_id, role) VALUES (p_index_id, session_user)
      ON CONFLICT DO NOTHING;
  END IF;
END $$;

-- Called by the kiosk where the purge began once every kiosk confirmed (it keeps the
-- receipt in its own audit log): the hub then forgets the Index ID entirely.
CREATE FUNCTION close_purge(p_index_id text) RETURNS boolean LANGUAGE plpgsql
SECURITY DEFINER SET search_path = facekiosk, pg_temp AS $$
DECLARE p purges;
BEGIN
  SELECT * INTO p FROM purges WHERE index_id = p_index_id AND origin = session_user;
  IF NOT FOUND THEN RETURN false; END IF;
  IF EXISTS (SELECT 1 FROM kiosks k WHERE k.joined_at <= p.at AND k.left_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM purge_acks a
                             WHERE a.index_id = p.index_id AND a.role = k.role))
  THEN RETURN false; END IF;
  DELETE FROM feed WHERE index_id = p_index_id;
  DELETE FROM outbox WHERE index_id = p_index_id;
  DELETE FROM purges WHERE index_id = p_index_id;
  RETURN true;
END $$;

-- `site leave`: the kiosk is marked as gone (its missing acknowledgements no longer hold
-- a purge open), loses the group role and its login at once; the role itself is dropped by
-- the next pass of any member (heartbeat) once its last session ended: a session cannot
-- drop its own role.
CREATE FUNCTION depart(p_role name) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = facekiosk, pg_temp AS $$
BEGIN
  UPDATE kiosks SET left_at = now() WHERE role = p_role AND left_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'not a member of the site' USING ERRCODE = '42501';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role) THEN
    EXECUTE format('REVOKE %I FROM %I', (SELECT group_role FROM meta), p_role);
    EXECUTE format('ALTER ROLE %I NOLOGIN', p_role);
  END IF;
END $$;
CREATE FUNCTION leave_site() RETURNS void LANGUAGE sql SECURITY DEFINER
SET search_path = facekiosk, pg_temp AS $$ SELECT depart(session_user) $$;
-- The owner only (`site remove --dsn`): a dead or stolen kiosk that cannot leave itself.
CREATE FUNCTION remove_kiosk(p_kiosk_id text) RETURNS name LANGUAGE plpgsql
SET search_path = facekiosk, pg_temp AS $$
DECLARE r name;
BEGIN
  SELECT role INTO r FROM kiosks WHERE kiosk_id = p_kiosk_id AND left_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no kiosk % is a member of this site', p_kiosk_id USING ERRCODE = '42704';
  END IF;
  PERFORM depart(r);
  RETURN r;
END $$;

-- Every sync pass ends here: last_sync, then the owner's housekeeping: the roles of kiosks
-- that left are dropped, and purges begun by a kiosk that left (nobody can keep their
-- receipt) are closed once every remaining kiosk confirmed.
CREATE FUNCTION heartbeat() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = facekiosk, pg_temp AS $$
DECLARE r record;
BEGIN
  UPDATE kiosks SET last_sync = now() WHERE role = session_user AND left_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'this kiosk is not a member of the site' USING ERRCODE = '42501';
  END IF;
  FOR r IN SELECT k.role FROM kiosks k JOIN pg_roles g ON g.rolname = k.role
           WHERE k.left_at IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.usename = k.role) LOOP
    BEGIN
      EXECUTE format('DROP ROLE %I', r.role);
    EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
      RAISE WARNING 'role % of a kiosk that left is kept: %', r.role, SQLERRM;
    END;
  END LOOP;
  FOR r IN SELECT p.index_id FROM purges p JOIN kiosks o ON o.role = p.origin
           WHERE o.left_at IS NOT NULL AND NOT EXISTS
             (SELECT 1 FROM kiosks k WHERE k.joined_at <= p.at AND k.left_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM purge_acks a
                              WHERE a.index_id = p.index_id AND a.role = k.role)) LOOP
    PERFORM pg_advisory_xact_lock({feed_lock});
    DELETE FROM feed WHERE index_id = r.index_id;
    DELETE FROM outbox WHERE index_id = r.index_id;
    DELETE FROM purges WHERE index_id = r.index_id;
  END LOOP;
END $$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA facekiosk FROM PUBLIC;
ALTER TABLE kiosks ENABLE ROW LEVEL SECURITY;
CREATE POLICY kiosks_read ON kiosks FOR SELECT USING (true);
CREATE POLICY kiosks_own ON kiosks FOR UPDATE
  USING (role = current_user) WITH CHECK (role = current_user);
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY outbox_own_read ON outbox FOR SELECT USING (origin = current_user);
CREATE POLICY outbox_own_insert ON outbox FOR INSERT WITH CHECK (origin = current_user);
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
CREATE POLICY events_own_read ON events FOR SELECT USING (origin = current_user);
CREATE POLICY events_own_insert ON events FOR INSERT WITH CHECK (origin = current_user);
ALTER TABLE duplicates ENABLE ROW LEVEL SECURITY;
CREATE POLICY duplicates_read ON duplicates FOR SELECT USING (true);
CREATE POLICY duplicates_own ON duplicates FOR INSERT WITH CHECK (found_by = current_user);
"""

_GRANTS = """
GRANT USAGE ON SCHEMA facekiosk TO {group}, {reader};
GRANT SELECT ON facekiosk.meta, facekiosk.feed, facekiosk.purges, facekiosk.purge_acks
  TO {group};
GRANT SELECT, INSERT ON facekiosk.outbox, facekiosk.events, facekiosk.duplicates TO {group};
GRANT SELECT ON facekiosk.kiosks TO {group}, {reader};
GRANT UPDATE (last_sync, pulled_seq, audit_cursor, event_cursor) ON facekiosk.kiosks
  TO {group};
GRANT EXECUTE ON FUNCTION facekiosk.issue_token(name, text, bytea, bytea),
  facekiosk.redeem_token(bytea, text), facekiosk.ack_purge(text),
  facekiosk.close_purge(text), facekiosk.leave_site(), facekiosk.heartbeat() TO {group};
-- column grant: the reader (the integrator API) never sees `extra` (scores, verdicts)
GRANT SELECT (origin, local_id, at, kind, index_id, kiosk_id, decision, reason, received)
  ON facekiosk.events TO {reader};
CREATE POLICY events_reader ON facekiosk.events FOR SELECT TO {reader} USING (true);
"""


def group_roles(dbname: str) -> tuple[str, str]:
    """The site's group role (every kiosk) and its read-only role for the integrator API's
    attendance reads; per database, so one cluster can hold several sites."""
    tag = hashlib.sha256(dbname.encode()).hexdigest()[:10]
    return f"fk_site_{tag}", f"fk_reader_{tag}"


def install(conn: Connection, site_id: str) -> tuple[str, str]:
    """Create the schema (the connection's role becomes its owner); in one transaction."""
    dbname = str(conn.info.dbname)
    group, reader = group_roles(dbname)
    with conn.transaction():
        for role in (group, reader):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            if exists.fetchone() is None:
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        ddl = (
            _DDL.replace("{role_pattern}", f"'{ROLE_PATTERN}'")
            .replace("{feed_lock}", str(FEED_LOCK))
            .replace("{channel}", CHANNEL)
        )
        conn.execute(ddl.encode())
        conn.execute(
            "INSERT INTO facekiosk.meta(site_id, group_role, reader_role, schema_version)"
            " VALUES (%s, %s, %s, %s)",
            (site_id, group, reader, SCHEMA_VERSION),
        )
        grants = sql.SQL(_GRANTS).format(group=sql.Identifier(group), reader=sql.Identifier(reader))
        conn.execute(grants)
    return group, reader


def installed(conn: Connection) -> bool:
    row = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'facekiosk'").fetchone()
    return row is not None
