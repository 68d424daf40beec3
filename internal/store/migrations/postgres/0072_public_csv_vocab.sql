-- Finds stored CSV rows that need building (vocab '' or another family
-- fingerprint) without reading every row: DB.FillPublicCSV asks at every
-- start of serve, and when nothing is missing it is now one index probe
-- instead of a walk of the whole record (18 s at a million incidents).
CREATE INDEX public_csv_vocab ON public_csv(vocab);
