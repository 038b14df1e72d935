"""The browser client in a real browser (headless Chromium through
Selenium and chromedriver, Debian's packages, which .ci/run installs).

Two browser users and one terminal client (mchat-client, scripted) chat in
a public and a private room across a 2-server mesh; markup sent as chat
arrives as literal text; the server the browsers use is killed and started
again, and the pages show the loss, reconnect and join their rooms again by
themselves. A screenshot of the chat is saved to $SCREENSHOT.

Run by mchat-server/tests/browser.rs with $MCHAT_SERVER, $MCHAT_CLIENT,
$SCREENSHOT and $WORK (a scratch directory) set. Every wait has a deadline;
the servers and clients it starts are stopped by pid at the end."""

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

SERVER = os.environ["MCHAT_SERVER"]
CLIENT = os.environ["MCHAT_CLIENT"]
SCREENSHOT = os.environ["SCREENSHOT"]
WORK = os.environ["WORK"]
DEADLINE = 15  # seconds, for every wait

started = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(name, ports, extra=(), peer=None):
    """mchat-server start --non-daemon on 127.0.0.1; returns once it listens."""
    args = [SERVER, "start", "--non-daemon", "--pidfile", f"{WORK}/{name}.pid",
            "--log-dir", WORK, *extra, "127.0.0.1", str(ports[0]), str(ports[1])]
    if peer:
        args += ["127.0.0.1", str(peer)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    started.append(proc)
    line = proc.stdout.readline()
    assert "listening for clients" in line, f"{name} did not start: {line!r}"
    return proc


class Terminal:
    """mchat-client in scripted mode: commands in, one line per event out."""

    def __init__(self, port):
        self.proc = subprocess.Popen([CLIENT, "--nick", "carol", "127.0.0.1", str(port)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, bufsize=1)
        started.append(self.proc)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.seen = []

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def say(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def expect(self, want):
        deadline = time.monotonic() + DEADLINE
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.lines.get(timeout=max(left, 0.01))
            except queue.Empty:
                raise AssertionError(f"terminal never printed {want!r}; got {self.seen[-10:]}")
            self.seen.append(line)
            if line == want:
                return


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                f"--window-size={width},{height}"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait(driver, what, check):
    try:
        return WebDriverWait(driver, DEADLINE).until(lambda d: check(d))
    except Exception as e:
        shown = driver.find_element(By.ID, "log").text
        raise AssertionError(f"{what}: not seen within {DEADLINE} s; the page shows:\n{shown}") from e


def status(driver):
    return driver.find_element(By.ID, "status").text


def fill(driver, field, text):
    element = driver.find_element(By.ID, field)
    element.clear()
    element.send_keys(text)


def login(driver, url, nick):
    driver.get(url)
    wait(driver, "connected", lambda d: status(d).startswith("connected as"))
    fill(driver, "nick", nick)
    driver.find_element(By.CSS_SELECTOR, "#login button").click()
    wait(driver, "nick set", lambda d: status(d) == f"connected as {nick}")


def join(driver, room, password=""):
    fill(driver, "room", room)
    fill(driver, "password", password)
    driver.find_element(By.CSS_SELECTOR, "#join button").click()
    label = room + ("*" if password else "")
    wait(driver, f"tab {label}", lambda d: any(t.text.startswith(label) for t in tabs(d)))


def tabs(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#tabs button")


def open_tab(driver, room):
    for tab in tabs(driver):
        if tab.get_attribute("data-room") == room:
            tab.click()
            return
    raise AssertionError(f"no tab {room}")


def say(driver, text):
    fill(driver, "text", text)
    driver.find_element(By.CSS_SELECTOR, "#say button").click()


def shows(driver, text):
    return text in driver.find_element(By.ID, "log").text


def main():
    b_ports = (free_port(), free_port())
    a_ports = (free_port(), free_port())
    web = free_port()
    url = f"http://127.0.0.1:{web}/"
    start_server("b", b_ports)
    a = start_server("a", a_ports, ["--ws", f"127.0.0.1:{web}"], peer=b_ports[1])

    carol = Terminal(b_ports[0])
    carol.expect(f"connected to 127.0.0.1 {b_ports[0]}")
    carol.say("join lobby")
    carol.expect("<lobby> SYSTEM: carol joined channel")
    carol.say("joinprivate vault hunter2")
    carol.expect("<vault*> SYSTEM: carol joined channel")

    alice = browser(1024, 700)
    bob = browser(390, 844)  # a phone's screen
    try:
        login(alice, url, "alice")
        login(bob, url, "bob")
        for driver in (alice, bob):
            join(driver, "lobby")
        carol.expect("<lobby> SYSTEM: alice joined channel")
        carol.expect("<lobby> SYSTEM: bob joined channel")
        for driver in (alice, bob):
            join(driver, "vault", "hunter2")
        carol.expect("<vault*> SYSTEM: alice joined channel")
        carol.expect("<vault*> SYSTEM: bob joined channel")

        # Markup is text: it arrives as typed, and nothing runs.
        open_tab(alice, "lobby")
        markup = "look: <script>window.pwned=1</script> <b>bold</b> &amp; done"
        say(alice, markup)
        carol.expect(f"<lobby> alice: {markup}")
        # bob looks at the vault: the lobby tab counts the unread line.
        wait(bob, "unread count on the lobby tab",
             lambda d: any(t.get_attribute("data-room") == "lobby" and t.text.endswith("1")
                           for t in tabs(d)))
        open_tab(bob, "lobby")
        wait(bob, "the markup as text", lambda d: shows(d, f"alice: {markup}"))
        assert bob.execute_script("return window.pwned === undefined"), "a script ran"
        assert not bob.find_elements(By.CSS_SELECTOR, "#log script, #log b"), "markup became HTML"

        # The private room: the terminal's line reaches both browsers.
        carol.say("msg vault only with the password")
        for driver in (alice, bob):
            open_tab(driver, "vault")
            wait(driver, "carol in the vault", lambda d: shows(d, "carol: only with the password"))
        open_tab(alice, "vault")
        say(alice, "the vault hears alice")
        carol.expect("<vault*> alice: the vault hears alice")

        # The browsers' server dies: the pages say so, and come back by themselves.
        a.kill()
        a.wait()
        for driver in (alice, bob):
            wait(driver, "the lost state", lambda d: status(d) == "connection lost — reconnecting")
        a = start_server("a", a_ports, ["--ws", f"127.0.0.1:{web}"], peer=b_ports[1])
        for driver, nick in ((alice, "alice"), (bob, "bob")):
            wait(driver, "reconnected", lambda d, n=nick: status(d) == f"connected as {n}")
        carol.expect("<vault*> SYSTEM: alice joined channel")
        open_tab(alice, "lobby")
        say(alice, "back after the restart")
        carol.expect("<lobby> alice: back after the restart")
        open_tab(bob, "lobby")
        wait(bob, "alice after the restart", lambda d: shows(d, "alice: back after the restart"))
        bob.save_screenshot(SCREENSHOT)

        # A server that stops answering (stopped, its sockets open): the
        # pages' keep-alive notices within 5 s of silence, and they come
        # back once it runs again.
        os.kill(a.pid, signal.SIGSTOP)
        try:
            wait(alice, "the silent server noticed",
                 lambda d: status(d) == "connection lost — reconnecting")
        finally:
            os.kill(a.pid, signal.SIGCONT)
        wait(alice, "back after the pause", lambda d: status(d) == "connected as alice")
        print(json.dumps({"ok": True, "screenshot": SCREENSHOT}))
    finally:
        for driver in (alice, bob):
            driver.quit()


try:
    main()
finally:
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
sys.exit(0)
