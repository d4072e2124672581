"""End-to-end tests: the real server (``assembly serve``) read in headless Chromium, as a reader
would: Debian's chromium and chromium-driver (scripts/install-browser), never a downloaded one."""
