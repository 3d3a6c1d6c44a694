from flask import Flask

app = Flask(__name__)


@app.get("/")
def root() -> str:
    return "hello from flask\n"
