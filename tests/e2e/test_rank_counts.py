"""The same inputs at 1, 2, 3, 4 and 8 ranks give identical databases and snapshots:
every table's content (but run times) and every HDF5 dataset, byte for byte."""
from __future__ import annotations

from dbread import rank_independent_outputs

RANK_COUNTS = (1, 2, 3, 4, 8)
MALFORMED = (b'name,sku,description\r\nA,a,"open\r\n"q"x,y\nB,,empty sku\r\nC,c,\xff\r\n\r\n'
             b'D,d,"a ""quoted"" word",extra\rE,e,"line\nbreaks"\r\nF,a,last wins\r\nG,g,"never closed\n')


def test_identical_results_at_every_rank_count(lfp, sample_csv, tmp_path):
    generated = tmp_path / "generated.csv"
    lfp.generate(30000, generated, seed=11, ranks=2)
    malformed = tmp_path / "malformed.csv"
    malformed.write_bytes(MALFORMED)
    files = [sample_csv, generated, malformed, sample_csv]
    results = {}
    for n in RANK_COUNTS:
        db, h5 = tmp_path / f"n{n}.db", tmp_path / f"n{n}.h5"
        lfp.ingest(*files, db=db, h5=h5, ranks=n)
        results[n] = rank_independent_outputs(db, h5)
    first = results[RANK_COUNTS[0]]
    assert len(first["rejects"]) == 5 and len(first["products"]) > 25000
    for n in RANK_COUNTS[1:]:
        for key in first:
            assert results[n][key] == first[key], f"{key} differs between 1 and {n} ranks"
