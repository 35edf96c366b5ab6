"""Where the console puts the files the bot would send in Slack: ./exports/ in the working directory."""

from pathlib import Path

EXPORTS_DIR = Path("exports")


def save(filename: str, content: bytes) -> Path:
    EXPORTS_DIR.mkdir(exist_ok=True)
    path = EXPORTS_DIR / Path(filename).name  # a file name, never a path out of exports/
    path.write_bytes(content)
    return path
