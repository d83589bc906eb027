"""The processes the crash harness starts: `python -m tests.crash.writer setup|write|check`.

Each runs against the database named by TAUT_DATA_DIR (SQLite) or DATABASE_URL (PostgreSQL).

- setup: migrate and create one clinic; prints its id.
- write --clinic ID --writer N [--broken]: print "ready", then create clients in a loop with
  taut.clients.services.do_create_client and print "ack <id>" after each commit. With --broken
  the writer is deliberately wrong: durability is switched off on its connection
  (synchronous=OFF / synchronous_commit=off), it acknowledges before the commit, and every
  third acknowledged write is then rolled back.

An acknowledgement is "ack <id> <family name>": the name is unique per write, so a lost row
whose id was later reused by another writer still counts as lost.
- check: print a JSON report of client ids, client ids with a "create" audit entry, audit chain
  problems and (SQLite) the integrity check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taut.web.settings")
    import django

    django.setup()


def setup() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from taut.access import services as access

    clinic = access.do_create_clinic("Crash clinic", "crash-clinic")
    sys.stdout.write(f"{clinic.pk}\n")


class _Rollback(Exception):
    pass


def write(clinic_id: int, writer: int, broken: bool) -> None:
    from django.db import connection, transaction

    from taut.access.models import Clinic, Role
    from taut.access.scoping import clinic_scope
    from taut.audit.context import update
    from taut.clients.services import do_create_client

    clinic = Clinic.objects.get(pk=clinic_id)
    if broken:
        connection.ensure_connection()  # the durability check runs here, then is undone below
        with connection.cursor() as cur:
            if connection.vendor == "sqlite":
                cur.execute("PRAGMA synchronous=OFF")
            else:
                cur.execute("SET synchronous_commit TO off")
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    n = 0
    with update(channel="cli"), clinic_scope(clinic):
        while True:
            n += 1
            data = {
                "given_name": "Crash",
                "family_name": f"W{writer}-{os.getpid()}-{n}",
                "date_of_birth": dt.date(1980, 1, 1) + dt.timedelta(days=n % 9000),
            }
            if not broken:
                client = do_create_client(clinic, data, Role.PRACTITIONER)
                out.write(f"ack {client.pk} {client.family_name}\n")
                out.flush()
                continue
            try:
                with transaction.atomic():
                    client = do_create_client(clinic, data, Role.PRACTITIONER)
                    out.write(f"ack {client.pk} {client.family_name}\n")  # too early: the commit has not happened
                    out.flush()
                    if n % 3 == 0:
                        raise _Rollback
            except _Rollback:
                pass


def check() -> None:
    from django.db import connection

    from taut.access.scoping import unscoped
    from taut.audit import service as audit
    from taut.audit.models import AuditEntry
    from taut.clients.models import Client

    with unscoped():
        clients = sorted(Client.objects.values_list("pk", "family_name"))
        audited = sorted(
            int(i)
            for i in AuditEntry.objects.filter(action="create", object_type="client").values_list(
                "object_id", flat=True
            )
        )
    report: dict[str, object] = {
        "clients": clients,
        "audited": audited,
        "chain": [f"entry {p.entry_id}: {p.what}" for p in audit.verify()],
        "integrity": None,
    }
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA integrity_check")
            report["integrity"] = [row[0] for row in cur.fetchall()]
    sys.stdout.write(json.dumps(report) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["setup", "write", "check"])
    parser.add_argument("--clinic", type=int, default=0)
    parser.add_argument("--writer", type=int, default=0)
    parser.add_argument("--broken", action="store_true")
    args = parser.parse_args()
    _django()
    if args.command == "setup":
        setup()
    elif args.command == "write":
        write(args.clinic, args.writer, args.broken)
    else:
        check()


if __name__ == "__main__":
    main()
