DROP TABLE staff_sessions;
DROP TABLE staff_users;
