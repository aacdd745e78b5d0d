/* visit counter: robots.txt disallows it */
