DROP TABLE repairs;
