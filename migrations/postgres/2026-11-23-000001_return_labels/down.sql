DROP TABLE label_documents;
DROP TABLE return_labels;
