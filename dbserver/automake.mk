# dbserver
