"""The password page of a shared workshop (`workbench serve --basic-auth`).

Panel's own basic-auth page loads its logo and icon from a CDN (so the internet learns that a school is
planning, and the page breaks offline) and asks for a user name it ignores when one password is set. This
page is self-contained and asks only for the password, which is compared in constant time. It plugs into
Panel as an ordinary auth provider, so the session cookies and the redirect after login are Panel's.
"""

from __future__ import annotations

import hmac

from jinja2 import Environment
from panel.auth import BasicAuthProvider, BasicLoginHandler, LogoutHandler, _validate_next_url
from panel.io.state import state

LOGIN, LOGOUT = "/login", "/logout"
USER = "workshop"   # everyone who knows the password is the same user: nothing is kept per person

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>School design workbench — {{ title }}</title>
<link rel="icon" href="data:,">
<style>
  body { font-family: system-ui, sans-serif; background: #f4f6f8; margin: 0; min-height: 100vh;
         display: flex; align-items: center; justify-content: center; }
  main { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 2em; width: 22em; }
  h1 { font-size: 1.25em; margin: 0 0 1em; color: #2f4f6f; }
  label { display: block; margin-bottom: .4em; }
  input[type=password] { width: 100%; box-sizing: border-box; padding: .6em; font-size: 1em; }
  button { margin-top: 1em; width: 100%; padding: .6em; font-size: 1em; background: #2f4f6f; color: #fff;
           border: 0; border-radius: 4px; }
  .error { color: #b42318; margin: 0 0 1em; }
</style>
</head>
<body><main>
<h1>School design workbench</h1>
{{ body }}
</main></body>
</html>
"""

_LOGIN = """{% if error %}<p class="error" role="alert">That password is not right. Try again.</p>{% endif %}
<form action="{{ login_endpoint }}" method="post">
  <label for="password">Workshop password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" autofocus required>
  <button type="submit">Open the workbench</button>
</form>"""

_LOGOUT = """<p>You have left the workbench.</p><p><a href="{{ LOGIN_ENDPOINT }}">Open it again</a></p>"""

_ENV = Environment(autoescape=True)
LOGIN_TEMPLATE = _ENV.from_string(_PAGE.replace("{{ title }}", "sign in").replace("{{ body }}", _LOGIN))
LOGOUT_TEMPLATE = _ENV.from_string(_PAGE.replace("{{ title }}", "signed out").replace("{{ body }}", _LOGOUT))


class PasswordLoginHandler(BasicLoginHandler):
    """GET shows the password page; POST checks the password only. `password` is set on a subclass made
    per server (see `PasswordOnly`), never on this class."""

    password: str = ""

    def get(self):
        next_url = _validate_next_url(self.get_argument("next", state.base_url))
        if next_url:
            self.set_cookie("next_url", next_url)
        self.write(LOGIN_TEMPLATE.render(login_endpoint=self._login_endpoint,
                                         error=self.get_argument("error", None) is not None))

    def post(self):
        given = self.get_argument("password", "")
        if self.password and hmac.compare_digest(given.encode("utf-8"), self.password.encode("utf-8")):
            self.set_current_user(USER)
            self.redirect(_validate_next_url(self.get_cookie("next_url", state.base_url)) or "/")
        else:
            self.redirect(f"{self._login_endpoint}?error=1")


class PasswordOnly(BasicAuthProvider):
    """Panel's basic-auth provider with the self-contained password page above."""

    def __init__(self, password: str):
        if not password:
            raise ValueError("a workshop password cannot be empty")
        # Panel checks the handlers while it initialises the provider: make them first
        self._login_handler = type("WorkshopLoginHandler", (PasswordLoginHandler,),
                                   {"password": password, "_login_endpoint": LOGIN})
        self._logout_handler = type("WorkshopLogoutHandler", (LogoutHandler,),
                                    {"_logout_template": LOGOUT_TEMPLATE, "_login_endpoint": LOGIN})
        super().__init__(login_endpoint=LOGIN, logout_endpoint=LOGOUT)

    @property
    def login_handler(self):
        return self._login_handler

    @property
    def logout_handler(self):
        return self._logout_handler
