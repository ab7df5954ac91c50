import csv

from django.core.management.base import BaseCommand, CommandError

from patron.duplicates import services
from patron.duplicates.models import DuplicateCandidate
from patron.workspaces.models import Workspace

HEADER = [
    "score",
    "reasons",
    "customer_no_a",
    "ext_ref_a",
    "name_a",
    "customer_no_b",
    "ext_ref_b",
    "name_b",
]


class Command(BaseCommand):
    help = (
        "Scan a workspace's customers (outside the recycle bin) for likely duplicates and "
        "print the pairs to review, likeliest first: score, reasons, and both customers' "
        "customer no., ext. ref. and name. Pairs marked 'not a duplicate' are left out."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        parser.add_argument("--format", choices=["text", "csv"], default="text")

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug “{options['workspace']}”.")
        scan = services.scan_create(workspace=workspace, actor=None, via="command")
        scan = services.scan_run(scan_id=scan.pk)
        pairs = (
            DuplicateCandidate.objects.filter(scan=scan)
            .select_related("customer_a", "customer_b")
            .order_by("-score", "pk")
        )
        rows = (
            [
                f"{pair.score:.3f}",
                pair.reason_text,
                pair.customer_a.number,
                pair.customer_a.external_ref,
                pair.customer_a.display_name,
                pair.customer_b.number,
                pair.customer_b.external_ref,
                pair.customer_b.display_name,
            ]
            for pair in pairs.iterator(chunk_size=1000)
        )
        if options["format"] == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(HEADER)
            writer.writerows(rows)
            return
        for score, reasons, no_a, ref_a, name_a, no_b, ref_b, name_b in rows:
            self.stdout.write(
                f"{score}  no. {no_a}{f' (ext. ref. {ref_a})' if ref_a else ''} {name_a}"
                f"  <->  no. {no_b}{f' (ext. ref. {ref_b})' if ref_b else ''} {name_b}"
                f"\n       {reasons}"
            )
        self.stderr.write(
            f"{scan.read_count:,} customers read, {scan.compared_count:,} pairs compared, "
            f"{scan.candidate_count:,} likely duplicate pairs."
        )
