"""The bare baseline: one FastAPI route, served by uvicorn with MyLife's settings."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def hello() -> dict[str, str]:
    return {"hello": "world"}
