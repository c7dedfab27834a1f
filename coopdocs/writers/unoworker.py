"""A tiny UNO client, run by the *system* Python (the one with ``python3-uno``), that starts one
LibreOffice, keeps it alive and converts DOCX files to PDF on request.

    python3 unoworker.py SOFFICE PROFILE PIPE STARTUP_TIMEOUT

It starts LibreOffice itself (``soffice.bin`` directly when it finds it beside ``SOFFICE``, so
that no launcher stands between them), in a process group of its own and with
``PR_SET_PDEATHSIG``: LibreOffice dies with this worker. The worker in turn lives only as long as
its stdin is open: when the parent closes it or dies (even by ``kill -9``) the worker ends
LibreOffice's group, removes the profile and exits.

Protocol, one JSON object per line. First the worker says ``{"ready": true, "pid": P}`` or
``{"ready": false, "error": ...}``. Then it answers each request ``{"src", "dst", "pdfa"}`` with
``{"ok": true}`` or ``{"ok": false, "error": ...}``, and each ``{"ping": N}`` (the parent's
heartbeat, sent every second while a conversion runs) with ``{"pong": N}`` once LibreOffice has
answered a trivial UNO call, or ``{"pong": N, "dead": ...}`` when it cannot answer any more.
It imports nothing from coopdocs, so it runs outside the virtual environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time

RESTART_CODE = 81  # soffice.bin asks to be started again (first start with a new profile)
PR_SET_PDEATHSIG = 1

_out_lock = threading.Lock()
_quit_lock = threading.Lock()
_launch_lock = threading.Lock()
_quitting = False
_soffice = None  # the running LibreOffice (subprocess.Popen)
_profile = ""  # its profile folder, removed when the worker ends


def say(message):  # noqa: ANN001, ANN201
    try:
        with _out_lock:
            sys.stdout.write(json.dumps(message) + "\n")
            sys.stdout.flush()
    except (OSError, ValueError):  # the parent is gone
        quit_with_parent()


def _die_with(parent):  # noqa: ANN001, ANN202
    """For the child, between fork and exec: get SIGKILL when ``parent`` (this worker) dies."""
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux: the stdin pipe alone ties LibreOffice to us
        return None

    def child():  # noqa: ANN202
        with contextlib.suppress(Exception):
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the worker died before prctl took effect
            os._exit(1)

    return child


def program(soffice):  # noqa: ANN001, ANN201
    """``soffice.bin`` beside the ``soffice`` launcher script, else the launcher itself."""
    real = os.path.realpath(soffice)
    binary = os.path.join(os.path.dirname(real), "soffice.bin")
    if os.path.basename(real) == "soffice" and os.access(binary, os.X_OK):
        return binary
    return soffice


def start_soffice(soffice, profile, pipe):  # noqa: ANN001, ANN201
    """Start LibreOffice (it becomes ``_soffice``). Never once the worker has begun to quit:
    a LibreOffice started then would escape ``quit_with_parent``, and its profile the clean-up."""
    global _soffice
    with _launch_lock:
        if _quitting:
            threading.Event().wait()  # the quitting thread ends the process
        _soffice = _popen_soffice(soffice, profile, pipe)
        return _soffice


def _popen_soffice(soffice, profile, pipe):  # noqa: ANN001, ANN202
    args = [
        program(soffice),
        "--headless",
        "--invisible",
        "--nologo",
        "--norestore",
        "--nodefault",
        "--nolockcheck",
        f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        "-env:UserInstallation=file://" + profile,
    ]
    temp = os.path.join(profile, "tmp")  # LibreOffice's own temporary files go with the profile
    os.makedirs(temp, exist_ok=True)
    log = open(os.path.join(profile, "soffice.log"), "ab")  # noqa: SIM115 - handed to the child
    try:
        return subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # a group of its own: ended as a whole, never by the terminal
            preexec_fn=_die_with(os.getpid()),  # only prctl, no locks
            env={**os.environ, "SAL_ENABLE_FILE_LOCKING": "1", "TMPDIR": temp},
        )
    finally:
        log.close()


def stop_soffice(grace=2.0):  # noqa: ANN001, ANN201
    """End LibreOffice's whole group: SIGTERM, then SIGKILL after ``grace`` seconds."""
    process = _soffice
    if process is None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(OSError):
            os.killpg(process.pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if process.poll() is not None:
                with contextlib.suppress(OSError):
                    os.killpg(process.pid, signal.SIGKILL)  # whatever it may have started
                return
            time.sleep(0.05)


def state(pid):  # noqa: ANN001, ANN201
    """The process state letter from /proc (``T``: stopped), or ``""``."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def log_tail(profile, limit=400):  # noqa: ANN001, ANN201
    try:
        with open(os.path.join(profile, "soffice.log"), "rb") as handle:
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-3:])[-limit:]


def _prop(name, value):  # noqa: ANN001, ANN202
    from com.sun.star.beans import PropertyValue

    prop = PropertyValue()
    prop.Name = name
    prop.Value = value
    return prop


def connect(soffice, profile, pipe, timeout):  # noqa: ANN001, ANN201
    """Start LibreOffice and connect to it; (context, desktop). Raises RuntimeError with the cause."""
    import uno
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + timeout
    restarts = 0
    process = start_soffice(soffice, profile, pipe)
    while True:
        code = process.poll()
        if code == RESTART_CODE and restarts < 3:
            restarts += 1
            process = start_soffice(soffice, profile, pipe)
            continue
        if code is not None:
            cause = log_tail(profile)
            raise RuntimeError(
                f"LibreOffice ({process.args[0]}) exited with code {code} at start" + (f": {cause}" if cause else "")
            )
        if state(process.pid) == "T":
            raise RuntimeError(f"LibreOffice (pid {process.pid}) was stopped (SIGSTOP) while starting")
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx, ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except NoConnectException:
            if time.monotonic() > deadline:
                raise RuntimeError(f"LibreOffice did not accept a connection within {timeout:.0f} s") from None
            time.sleep(0.1)


def convert(desktop, src, dst, pdfa):  # noqa: ANN001, ANN201
    import uno

    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(src), "_blank", 0, (_prop("Hidden", True), _prop("ReadOnly", True))
    )
    if doc is None:
        raise RuntimeError(f"LibreOffice could not open {src}")
    # Locked controllers keep Writer's idle jobs (background layout, word count) from running
    # between our calls; the export lays the document out itself. The PDFs are the same page
    # for page (checked pixel by pixel); the CPU per document is ~10 % lower (bench/).
    doc.lockControllers()
    try:
        data = [_prop("UseTaggedPDF", True), _prop("ExportBookmarks", True), _prop("EmbedStandardFonts", True)]
        if pdfa:
            data.append(_prop("SelectPdfVersion", 2))
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", tuple(data))
        args = (_prop("FilterName", "writer_pdf_Export"), _prop("FilterData", filter_data))
        uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(dst), args))
    finally:
        doc.unlockControllers()
        doc.close(True)


def ping(ctx, number):  # noqa: ANN001, ANN201
    """Answer a heartbeat once LibreOffice answers a call that needs none of its document locks."""
    try:
        ctx.getValueByName("/singletons/com.sun.star.lang.theServiceManager")
    except Exception as exc:  # noqa: BLE001 - the bridge is gone: LibreOffice died
        say({"pong": number, "dead": f"{type(exc).__name__}: {exc}"})
        return
    say({"pong": number})


def quit_with_parent():  # noqa: ANN201
    """The parent closed stdin or died: end LibreOffice, remove the profile, exit at once.

    Whichever thread notices first does it; any other that gets here waits for the exit."""
    global _quitting
    _quit_lock.acquire()
    with _launch_lock:  # a LibreOffice being started is started (and then stopped), no other
        _quitting = True
    stop_soffice()
    shutil.rmtree(_profile, ignore_errors=True)
    os._exit(0)


def read_requests(requests, holder):  # noqa: ANN001, ANN201
    """The stdin thread: pings are answered on threads of their own, requests queued; EOF ends all."""
    for line in sys.stdin:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if "ping" in message:
            if holder:
                threading.Thread(target=ping, args=(holder[0], message["ping"]), daemon=True).start()
            continue
        requests.put(message)
    quit_with_parent()


def main():  # noqa: ANN201
    global _profile
    soffice, profile, pipe = sys.argv[1], sys.argv[2], sys.argv[3]
    _profile = profile
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
    for sig in (signal.SIGINT, signal.SIGHUP):  # the parent decides; a terminal's signals are its
        signal.signal(sig, signal.SIG_IGN)
    requests: queue.Queue[dict] = queue.Queue()
    holder: list = []  # the component context, once connected (pings before that are not answered)
    threading.Thread(target=read_requests, args=(requests, holder), daemon=True).start()
    try:
        ctx, desktop = connect(soffice, profile, pipe, timeout)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides
        stop_soffice(grace=0.5)
        say({"ready": False, "error": str(exc) if isinstance(exc, RuntimeError) else f"{type(exc).__name__}: {exc}"})
        return
    holder.append(ctx)
    say({"ready": True, "pid": _soffice.pid if _soffice is not None else None})
    while True:
        request = requests.get()
        try:
            convert(desktop, request["src"], request["dst"], bool(request.get("pdfa")))
            answer: dict[str, object] = {"ok": True}
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        say(answer)


if __name__ == "__main__":
    main()
