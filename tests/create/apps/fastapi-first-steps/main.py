# FastAPI's "First Steps" (fastapi.tiangolo.com/tutorial/first-steps/, docs_src/first_steps).
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def root():
    return {"message": "Hello World"}
