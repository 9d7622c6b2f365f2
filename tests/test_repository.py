"""The repository URL is configured once (_config.yml) and every notebook's install cell
(used on Colab, where optlib is not installed) points to the same place."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("repo_url", ROOT / "scripts" / "repo_url.py")
repo_url = importlib.util.module_from_spec(spec)
spec.loader.exec_module(repo_url)


@pytest.mark.parametrize("path", repo_url.notebooks(), ids=lambda p: p.name)
def test_install_cell_uses_the_configured_repository(path):
    assert repo_url.install_urls(path) == [repo_url.configured()], (
        f"{path.name}: its install cell must use repository.url of _config.yml; "
        "run `python scripts/repo_url.py <url>` to set it everywhere")


def test_set_url_rewrites_config_and_every_notebook(tmp_path, monkeypatch):
    """Publishing under another address is one command."""
    import shutil
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    (tmp_path / "chapters").mkdir()
    for path in repo_url.notebooks():
        shutil.copy(path, tmp_path / path.relative_to(ROOT))
    monkeypatch.setattr(repo_url, "ROOT", tmp_path)
    monkeypatch.setattr(repo_url, "CONFIG", tmp_path / "_config.yml")
    assert repo_url.main(["repo_url.py", "https://example.org/someone/optbook/"]) == 0
    assert repo_url.configured() == "https://example.org/someone/optbook"
    for path in repo_url.notebooks():
        assert repo_url.install_urls(path) == ["https://example.org/someone/optbook"]
