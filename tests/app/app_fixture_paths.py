"""Where the app tests' fixture lessons and quizzes live (a uniquely named module, so that
test files can import it without clashing with other folders' conftest modules)."""

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
CONTENT = FIXTURES / "content"
QUIZZES = FIXTURES / "quizzes"
