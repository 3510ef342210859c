mod graph;
